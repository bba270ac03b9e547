using Cofi.Actors.Executors;

namespace Cofi.Actors.Metrics;

/// <summary>The bounded label values a call's outcome is counted under.</summary>
public static class CallLabels
{
    public static string Outcome(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Completed => "done",
        CallOutcome.Skipped => "skipped",
        CallOutcome.TransientFailure => "transient",
        CallOutcome.PermanentFailure => "failed",
        CallOutcome.Superseded => "superseded",
        _ => "declined",
    };

    /// <summary>Why a transient failure happened: timeout, rate_limited (429), server_error (5xx), connection, or transient.</summary>
    public static string Cause(CallOutcome.TransientFailure failure)
    {
        var status = failure.Attempts.Count > 0 ? failure.Attempts[^1].StatusCode : null;
        return status switch
        {
            429 => "rate_limited",
            408 => "timeout",
            >= 500 => "server_error",
            _ when failure.Reason.Contains("timed out", StringComparison.OrdinalIgnoreCase) => "timeout",
            _ when failure.Reason.Contains("refused", StringComparison.OrdinalIgnoreCase)
                   || failure.Reason.Contains("reset", StringComparison.OrdinalIgnoreCase)
                   || failure.Reason.Contains("connection", StringComparison.OrdinalIgnoreCase) => "connection",
            _ => "transient",
        };
    }
}
