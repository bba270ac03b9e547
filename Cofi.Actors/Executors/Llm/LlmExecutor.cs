using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors.Http;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Cofi.Actors.Executors.Llm;

/// <summary>
/// An <c>llm</c> stage over OpenAI-compatible chat-completions endpoints. Each attempt goes to the next endpoint
/// under that endpoint's limits and the stage's timeout; transient failures are retried by a Polly retry
/// (exponential backoff with jitter, Retry-After honoured) up to <c>max-attempts</c>, after which the file fails.
/// The model's answer must be one JSON object: it is the stage's result.
/// </summary>
public sealed class LlmExecutor : IStageExecutor, IOwnsRetries
{
    private readonly StageSettings _stage;
    private readonly LlmStageSettings _llm;
    private readonly IReadOnlyList<LlmEndpoint> _endpoints;
    private readonly HttpClient _client;
    private readonly HttpLimits _limits;
    private readonly TimeProvider _clock;
    private readonly string? _apiKey;
    private readonly ResiliencePipeline<CallOutcome> _pipeline;

    public LlmExecutor(StageSettings stage, IReadOnlyList<LlmEndpoint> endpoints, HttpClient client, HttpLimits limits, TimeProvider clock)
    {
        _stage = stage;
        _llm = stage.Llm ?? throw new ArgumentException($"stage {stage.Name} has no llm settings", nameof(stage));
        _endpoints = endpoints;
        _client = client;
        _limits = limits;
        _clock = clock;
        _apiKey = _llm.ApiKeyVariable is { } variable ? Environment.GetEnvironmentVariable(variable) : null;
        var builder = new ResiliencePipelineBuilder<CallOutcome> { TimeProvider = clock };
        if (stage.MaxAttempts > 1)
            builder.AddRetry(new RetryStrategyOptions<CallOutcome>
            {
                MaxRetryAttempts = stage.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = stage.BackoffBase,
                MaxDelay = stage.BackoffMax,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is CallOutcome.TransientFailure),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is CallOutcome.TransientFailure { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
            });
        _pipeline = builder.Build();
    }

    public TimeSpan Deadline => Timeout.InfiniteTimeSpan;

    public async Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken)
    {
        var attempts = new List<AttemptRecord>();
        var first = (int)(StableHash.Of(call.File.Name, _stage.Name) % (ulong)_endpoints.Count);
        var attempt = 0;
        var outcome = await _pipeline.ExecuteAsync(async token =>
        {
            var endpoint = _endpoints[(first + attempt) % _endpoints.Count];
            attempt++;
            var result = await AttemptAsync(call, endpoint, attempt, token).ConfigureAwait(false);
            attempts.AddRange(result.Attempts);
            return result;
        }, cancellationToken).ConfigureAwait(false);
        outcome = outcome is CallOutcome.TransientFailure t
            ? new CallOutcome.PermanentFailure($"gave up after {attempt} attempts: {t.Reason}")
            : outcome;
        return outcome with { Attempts = attempts };
    }

    private async Task<CallOutcome> AttemptAsync(StageCall call, LlmEndpoint endpoint, int attempt, CancellationToken cancellationToken)
    {
        var prompt = PromptTemplate.Fill(_llm.Prompt, call.File);
        var body = ChatRequest(prompt);
        var machine = endpoint.Url.Authority;
        long started = 0;
        CallOutcome Done(CallOutcome outcome, int? status, string? response)
        {
            var duration = started == 0 ? 0 : (long)_clock.GetElapsedTime(started).TotalMilliseconds;
            return outcome with
            {
                Attempts =
                [
                    StageDecisions.Attempt(attempt, outcome, machine, duration, _clock.GetUtcNow()) with
                    {
                        StatusCode = status,
                        Request = LoggedBody.Keep(body, _limits.LoggedBodyChars),
                        Response = response is null ? null : LoggedBody.Keep(response, _limits.LoggedBodyChars),
                    },
                ],
            };
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        if (bytes.Length > _limits.MaxRequestBytes)
            return Done(new CallOutcome.PermanentFailure($"prompt request of {bytes.Length:N0} bytes is over the {_limits.MaxRequestBytes:N0}-byte limit"), null, null);
        using var lease = await endpoint.AcquireAsync((_llm.SystemPrompt.Length + prompt.Length) / 4 + _llm.MaxTokens, cancellationToken).ConfigureAwait(false);
        started = _clock.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_stage.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json; charset=utf-8" } } },
        };
        request.Headers.Add("Idempotency-Key", call.IdempotencyKey);
        if (_apiKey is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _apiKey);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var answer = await BoundedBody.ReadAsync(response.Content, _limits.MaxResponseBytes, deadline.Token).ConfigureAwait(false);
            var outcome = HttpAnswer.Classify(machine, response.StatusCode, response.Headers, answer, _limits.MaxResponseBytes, _clock);
            if (outcome is CallOutcome.Completed completed) outcome = Content(machine, completed.Result);
            return Done(outcome, (int)response.StatusCode, answer.TooLarge ? "[over the limit, not kept]" : answer.Text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Done(new CallOutcome.TransientFailure($"no answer from {machine} within {_stage.Timeout.TotalSeconds:0.###} s"), null, null);
        }
        catch (HttpRequestException e)
        {
            return Done(new CallOutcome.TransientFailure($"could not reach {machine}: {e.Message}"), null, null);
        }
    }

    private string ChatRequest(string prompt)
    {
        var messages = new JsonArray();
        if (_llm.SystemPrompt.Length > 0) messages.Add(new JsonObject { ["role"] = "system", ["content"] = _llm.SystemPrompt });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = prompt });
        return new JsonObject
        {
            ["model"] = _llm.Model,
            ["messages"] = messages,
            ["max_tokens"] = _llm.MaxTokens,
            ["temperature"] = _llm.Temperature,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
        }.ToJsonString();
    }

    /// <summary>The first choice's message content, which must be a JSON object (a ```json fence around it is allowed).</summary>
    private static CallOutcome Content(string machine, string completion)
    {
        try
        {
            var content = JsonNode.Parse(completion)?["choices"]?[0]?["message"]?["content"]?.GetValue<string>();
            if (content is null) return new CallOutcome.PermanentFailure($"{machine} answered without choices[0].message.content");
            var text = content.Trim();
            if (text.StartsWith("```", StringComparison.Ordinal))
            {
                var firstLine = text.IndexOf('\n');
                var fence = text.LastIndexOf("```", StringComparison.Ordinal);
                text = firstLine > 0 && fence > firstLine ? text[(firstLine + 1)..fence].Trim() : text;
            }
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new CallOutcome.Completed(document.RootElement.GetRawText())
                : new CallOutcome.PermanentFailure($"the model's answer from {machine} is JSON but not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return new CallOutcome.PermanentFailure($"the model's answer from {machine} is not a JSON object: {e.Message}");
        }
    }
}
