namespace Cofi.Actors.Executors;

/// <summary>
/// One attempt at a call as it went over the wire: where, which attempt, how long, the HTTP status (none when no
/// answer came), and the request and response bodies cut to a bounded size, saying when they were cut.
/// </summary>
public sealed record CallAttempt(
    string Machine,
    int Attempt,
    DateTimeOffset StartedAt,
    long DurationMs,
    int? StatusCode,
    string Outcome,
    string? Error,
    string Request,
    bool RequestTruncated,
    string? Response,
    bool ResponseTruncated)
{
    /// <summary>The first <paramref name="limit"/> characters of <paramref name="body"/>, and whether any were cut.</summary>
    public static (string Text, bool Truncated) Bound(string body, int limit) =>
        body.Length <= limit ? (body, false) : (body[..limit], true);
}
