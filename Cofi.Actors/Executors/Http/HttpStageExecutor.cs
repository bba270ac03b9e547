using System.Net.Sockets;
using System.Text;
using Cofi.Actors.Configuration;

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
    private readonly HttpClient _client;
    private readonly HttpLimits _limits;
    private readonly TimeProvider _clock;

    public HttpStageExecutor(StageSettings stage, string machine, HttpClient client, HttpLimits limits, TimeProvider clock)
    {
        _stage = stage;
        _http = stage.Http ?? throw new ArgumentException($"stage {stage.Name} has no http settings", nameof(stage));
        _machine = machine;
        _client = client;
        _limits = limits;
        _clock = clock;
    }

    public bool HasLifecycle => _http.PreparePath is not null || _http.ReleasePath is not null;

    public Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken) =>
        PostAsync(_http.Path, ModelServiceRequest.For(call, _http), call.IdempotencyKey, call.Attempt, cancellationToken);

    public Task<CallOutcome> PrepareAsync(long batchId, CancellationToken cancellationToken) => _http.PreparePath is { } path
        ? PostAsync(path, ModelServiceRequest.Lifecycle(batchId, _stage.Name, _machine), $"{batchId}:{_stage.Name}:prepare", 1, cancellationToken)
        : Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}"));

    public Task<CallOutcome> ReleaseAsync(long batchId, CancellationToken cancellationToken) => _http.ReleasePath is { } path
        ? PostAsync(path, ModelServiceRequest.Lifecycle(batchId, _stage.Name, _machine), $"{batchId}:{_stage.Name}:release", 1, cancellationToken)
        : Task.FromResult<CallOutcome>(new CallOutcome.Completed("{}"));

    public Uri UriFor(string path) => new UriBuilder(_http.Scheme, _machine, _http.Port, path).Uri;

    private async Task<CallOutcome> PostAsync(string path, string json, string idempotencyKey, int attempt, CancellationToken cancellationToken)
    {
        var startedAt = _clock.GetUtcNow();
        var started = _clock.GetTimestamp();
        var (loggedRequest, requestCut) = CallAttempt.Bound(json, _limits.LoggedBodyChars);
        CallOutcome Done(CallOutcome outcome, int? status, string? response)
        {
            var (loggedResponse, responseCut) = response is null ? ((string?)null, false) : CallAttempt.Bound(response, _limits.LoggedBodyChars);
            var attemptRecord = new CallAttempt(_machine, attempt, startedAt, (long)_clock.GetElapsedTime(started).TotalMilliseconds, status,
                OutcomeName(outcome), outcome switch
                {
                    CallOutcome.TransientFailure t => t.Reason,
                    CallOutcome.PermanentFailure p => p.Reason,
                    _ => null,
                },
                loggedRequest, requestCut, loggedResponse, responseCut);
            return outcome with { Attempts = [attemptRecord] };
        }

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
            return Done(new CallOutcome.TransientFailure($"no answer from {_machine} within {_stage.Timeout.TotalSeconds:0.###} s"), null, null);
        }
        catch (HttpRequestException e)
        {
            var cause = e.InnerException is SocketException s ? $"{s.SocketErrorCode}: {s.Message}" : e.Message;
            return Done(new CallOutcome.TransientFailure($"could not reach {_machine}: {cause}"), null, null);
        }
    }

    private static string OutcomeName(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Completed => "completed",
        CallOutcome.TransientFailure => "transient",
        CallOutcome.PermanentFailure => "permanent",
        CallOutcome.Declined => "declined",
        _ => "skipped",
    };
}
