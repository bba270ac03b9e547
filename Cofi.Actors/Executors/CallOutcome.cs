using System.Text.Json.Serialization;
using Cofi.Actors.Files;

namespace Cofi.Actors.Executors;

/// <summary>What one call to a stage's executor came to.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Completed), "completed")]
[JsonDerivedType(typeof(Skipped), "skipped")]
[JsonDerivedType(typeof(TransientFailure), "transient")]
[JsonDerivedType(typeof(PermanentFailure), "permanent")]
[JsonDerivedType(typeof(Declined), "declined")]
[JsonDerivedType(typeof(Superseded), "superseded")]
public abstract record CallOutcome
{
    /// <summary>
    /// The attempts this call made over the wire, with status codes and bounded bodies; the stage keeps them in the
    /// file's history. Empty for simulated and builtin stages, whose call is one attempt the stage records itself.
    /// </summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];

    // Equal outcomes have equal attempts, whatever list holds them (a deserialized outcome holds a List).
    public virtual bool Equals(CallOutcome? other) =>
        other is not null && EqualityContract == other.EqualityContract && Attempts.SequenceEqual(other.Attempts);

    public override int GetHashCode() => HashCode.Combine(EqualityContract, Attempts.Count);

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

    /// <summary>The call was cancelled because another attempt at the file answered first; the stage has recorded that one.</summary>
    public sealed record Superseded(string Reason) : CallOutcome;
}
