using System.Text.Json.Serialization;

namespace Cofi.Actors.Executors;

/// <summary>What one call to a stage's executor came to.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Completed), "completed")]
[JsonDerivedType(typeof(Skipped), "skipped")]
[JsonDerivedType(typeof(TransientFailure), "transient")]
[JsonDerivedType(typeof(PermanentFailure), "permanent")]
public abstract record CallOutcome
{
    /// <summary>The stage's result for the file, as JSON.</summary>
    public sealed record Completed(string Result) : CallOutcome;

    /// <summary>The file skips the rest of the pipeline (triage).</summary>
    public sealed record Skipped(string Reason) : CallOutcome;

    /// <summary>Worth another attempt after a backoff (timeouts, 5xx, 429).</summary>
    public sealed record TransientFailure(string Reason, TimeSpan? RetryAfter = null) : CallOutcome;

    /// <summary>The file fails at this stage; retrying would not help.</summary>
    public sealed record PermanentFailure(string Reason) : CallOutcome;
}
