namespace Cofi.Management;

/// <summary>
/// Runs readiness checks side by side, each with its own timeout: a check that has not answered by then fails with
/// that as its problem (even one that ignores its token), and one that throws fails with the exception's message.
/// </summary>
public static class ReadinessProbe
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A check's name and its problem, null when it passed.</summary>
    public sealed record Outcome(string Name, string? Problem);

    /// <param name="timeout">Per check; <see cref="CheckTimeout"/> when not given.</param>
    /// <param name="aborted">The caller gave up (the HTTP request was aborted): cancels every check and throws.</param>
    public static Task<Outcome[]> RunAsync(IEnumerable<IReadinessCheck> checks, CancellationToken aborted, TimeSpan? timeout = null) =>
        Task.WhenAll(checks.Select(check => RunAsync(check, timeout ?? CheckTimeout, aborted)));

    private static async Task<Outcome> RunAsync(IReadinessCheck check, TimeSpan timeout, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(timeout);
        try
        {
            return new Outcome(check.Name, await check.ProblemAsync(deadline.Token).WaitAsync(deadline.Token));
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return new Outcome(check.Name, $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Outcome(check.Name, $"the check failed: {e.Message}");
        }
    }
}
