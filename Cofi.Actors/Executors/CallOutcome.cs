namespace Cofi.Actors.Executors;

/// <summary>What one call to a stage's executor came to.</summary>
public abstract record CallOutcome
{
    /// <summary>What went over the wire for this call (none for simulated and builtin stages); kept with the file's record.</summary>
    public IReadOnlyList<CallAttempt> Attempts { get; init; } = [];

    /// <summary>The stage's result for the file, as JSON.</summary>
    public sealed record Completed(string Result) : CallOutcome;

    /// <summary>The file skips the rest of the pipeline (triage).</summary>
    public sealed record Skipped(string Reason) : CallOutcome;

    /// <summary>Worth another attempt after a backoff (timeouts, 5xx, 429).</summary>
    public sealed record TransientFailure(string Reason, TimeSpan? RetryAfter = null) : CallOutcome;

    /// <summary>The file fails at this stage; retrying would not help.</summary>
    public sealed record PermanentFailure(string Reason) : CallOutcome;

    /// <summary>The machine did not take the call (its circuit is open): no attempt was made, the file goes back to the queue.</summary>
    public sealed record Declined(string Reason) : CallOutcome;
}
