namespace Cofi.Actors.Configuration;

/// <summary>What carries out a stage's calls: a simulation of the service, or the real service over HTTP.</summary>
public enum ExecutorKind
{
    Simulated,
    Http,
}

/// <summary>
/// How a <c>gpu</c> stage calls the model service on each GPU machine with <c>executor = http</c>:
/// <c>POST {scheme}://{machine}:{port}{path}</c>, with the earlier stages' results named in <see cref="IncludeResults"/>.
/// </summary>
public sealed record HttpStageSettings(
    string Scheme,
    int Port,
    string Path,
    IReadOnlyList<string> IncludeResults,
    string? PreparePath,
    string? ReleasePath);

/// <summary>An <c>llm</c> stage's OpenAI-compatible chat-completions endpoints and their limits (each endpoint has its own).</summary>
public sealed record LlmStageSettings(
    IReadOnlyList<Uri> Endpoints,
    string Model,
    string? ApiKeyVariable,
    string SystemPrompt,
    string Prompt,
    int MaxTokens,
    double Temperature,
    int MaxConcurrency,
    int RequestsPerMinute,
    int TokensPerMinute);

/// <summary>The circuit breaker each GPU machine's worker puts in front of its calls.</summary>
public sealed record CircuitBreakerSettings(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration);

/// <summary>Bounds on what goes over the wire and what is kept of each attempt.</summary>
public sealed record HttpLimits(long MaxRequestBytes, long MaxResponseBytes, int LoggedBodyChars);

/// <summary>
/// The GPU machines that are only HTTP endpoints (used with <c>executor = http</c>), the address a GPU node calls its
/// own model services at, the breaker in front of each machine, the body limits of every HTTP call, and the path a GPU
/// node's readiness asks each of its model services for (none: readiness does not ask them).
/// </summary>
public sealed record GpuSettings(IReadOnlyList<string> Machines, string LocalHost, CircuitBreakerSettings Breaker, HttpLimits Limits,
    string? HealthPath = null);
