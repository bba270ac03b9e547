using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Configuration;
using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Executors.Http;

/// <summary>
/// A <c>gpu</c> stage's model service on one machine: posts the file's request with its idempotency key and turns
/// the answer into an outcome that carries the attempt (status, duration, bounded request and response).
/// </summary>
public sealed class HttpStageExecutor : IStageExecutor, IStageLifecycle
{
    private readonly StageSettings _stage;
    private readonly HttpStageSettings _http;
    private readonly string _machine;
    private readonly string _host;
    private readonly HttpClient _client;
    private readonly HttpLimits _limits;
    private readonly TimeProvider _clock;

    /// <param name="host">where the machine's model services listen: the machine's own name, or the local host on a GPU node.</param>
    public HttpStageExecutor(StageSettings stage, string machine, string host, HttpClient client, HttpLimits limits, TimeProvider clock)
    {
        _host = host;
        _stage = stage;
        _http = stage.Http ?? throw new ArgumentException($"stage {stage.Name} has no http settings", nameof(stage));
        _machine = machine;
        _client = client;
        _limits = limits;
        _clock = clock;
    }

    public bool HasLifecycle => _http.PreparePath is not null || _http.ReleasePath is not null;

    public Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken) =>
        PostAsync(_http.Path, ModelServiceRequest.For(call, _http), call.IdempotencyKey, call.Attempt, _stage.TimeoutFor(call.File), cancellationToken);

    public Task<CallOutcome> PrepareAsync(long batchId, CancellationToken cancellationToken) => _http.PreparePath is { } path
        ? PostAsync(path, ModelServiceRequest.Lifecycle(batchId, _stage.Name, _machine), $"{batchId}:{_stage.Name}:prepare", 1, _stage.Timeout, cancellationToken)
        : Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}"));

    public Task<CallOutcome> ReleaseAsync(long batchId, CancellationToken cancellationToken) => _http.ReleasePath is { } path
        ? PostAsync(path, ModelServiceRequest.Lifecycle(batchId, _stage.Name, _machine), $"{batchId}:{_stage.Name}:release", 1, _stage.Timeout, cancellationToken)
        : Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}"));

    public Uri UriFor(string path) => new UriBuilder(_http.Scheme, _host, _http.Port, path).Uri;

    /// <param name="deadline">how long the call may take (named in the failure when it takes longer)</param>
    private async Task<CallOutcome> PostAsync(string path, string json, string idempotencyKey, int attempt, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        CallOutcome Done(CallOutcome outcome, int? status, string? response) => outcome with
        {
            Attempts =
            [
                StageDecisions.Attempt(attempt, outcome, _machine, (long)_clock.GetElapsedTime(started).TotalMilliseconds, _clock.GetUtcNow()) with
                {
                    StatusCode = status,
                    Request = LoggedBody.Keep(json, _limits.LoggedBodyChars),
                    Response = response is null ? null : LoggedBody.Keep(response, _limits.LoggedBodyChars),
                },
            ],
        };

        var bytes = Encoding.UTF8.GetBytes(json);
        if (bytes.Length > _limits.MaxRequestBytes)
            return Done(new CallOutcome.PermanentFailure($"request of {bytes.Length:N0} bytes is over the {_limits.MaxRequestBytes:N0}-byte limit (cofi.gpu.limits.max-request-bytes)"), null, null);
        using var request = new HttpRequestMessage(HttpMethod.Post, UriFor(path))
        {
            Content = new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json; charset=utf-8" } } },
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await BoundedBody.ReadAsync(response.Content, _limits.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            var outcome = HttpAnswer.Classify(_machine, response.StatusCode, response.Headers, body, _limits.MaxResponseBytes, _clock);
            return Done(outcome, (int)response.StatusCode, body.TooLarge ? $"[{body.DeclaredLength?.ToString("N0") ?? "over-limit"} bytes, not kept]" : body.Text);
        }
        catch (OperationCanceledException)
        {
            return Done(new CallOutcome.TransientFailure($"no answer from {_machine} within {deadline.TotalSeconds:0.###} s"), null, null);
        }
        catch (HttpRequestException e)
        {
            var cause = e.InnerException is SocketException s ? $"{s.SocketErrorCode}: {s.Message}" : e.Message;
            return Done(new CallOutcome.TransientFailure($"could not reach {_machine}: {cause}"), null, null);
        }
    }
}
