using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cofi.Actors.Executors.Http;

/// <summary>
/// Turns a service's HTTP answer into an outcome: 2xx with a JSON object is the result; 408, 429 and 5xx are worth
/// another attempt (429 and 503 after their Retry-After); any other 4xx fails the file with the service's reason;
/// a body that is too large or not JSON fails the file, saying so.
/// </summary>
public static class HttpAnswer
{
    /// <summary>Longest Retry-After honoured; a service asking for more is retried after this.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    public static CallOutcome Classify(string machine, HttpStatusCode status, HttpResponseHeaders headers, BoundedBody body, long maxBytes, TimeProvider clock)
    {
        var code = (int)status;
        if (body.TooLarge)
            return new CallOutcome.PermanentFailure($"{machine} answered HTTP {code} with a body over the {maxBytes:N0}-byte limit"
                + (body.DeclaredLength is { } n ? $" ({n:N0} bytes declared)" : ""));
        if (code is >= 200 and < 300) return Result(machine, body.Text);
        if (code is 408 or 429 or >= 500)
        {
            var wait = code is 429 or 503 ? RetryAfter(headers, clock) : null;
            return new CallOutcome.TransientFailure($"{machine} answered HTTP {code} {status}{Detail(body.Text)}", wait);
        }
        return new CallOutcome.PermanentFailure($"{machine} answered HTTP {code} {status}{Detail(body.Text)}");
    }

    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, TimeProvider clock)
    {
        var retryAfter = headers.RetryAfter;
        TimeSpan? wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - clock.GetUtcNow() : null);
        if (wait is null) return null;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private static CallOutcome Result(string machine, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return new CallOutcome.PermanentFailure($"{machine} answered with JSON that is not an object ({document.RootElement.ValueKind}){Snippet(text)}");
            return new CallOutcome.Completed(text);
        }
        catch (JsonException e)
        {
            return new CallOutcome.PermanentFailure($"{machine} answered with malformed JSON: {e.Message}{Snippet(text)}");
        }
    }

    /// <summary>": {detail}" from a problem-details body, or the start of the body.</summary>
    private static string Detail(string text)
    {
        if (text.Length == 0) return "";
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
                foreach (var name in new[] { "detail", "title", "error", "message" })
                    if (root.TryGetProperty(name, out var value))
                        return ": " + Cut(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
        }
        catch (JsonException)
        {
            // Not JSON: the start of the body says it best.
        }
        return ": " + Cut(text);
    }

    private static string Snippet(string text) => text.Length == 0 ? " (empty body)" : $" (body starts: {Cut(text)})";

    private static string Cut(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
