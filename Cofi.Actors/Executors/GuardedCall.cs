namespace Cofi.Actors.Executors;

/// <summary>Runs one call under the stage's timeout, turning a hang or an executor's exception into a transient failure.</summary>
public static class GuardedCall
{
    public static async Task<CallOutcome> RunAsync(IStageExecutor executor, StageCall call, TimeSpan timeout, CancellationToken shutdown)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        deadline.CancelAfter(timeout);
        try
        {
            return await executor.ExecuteAsync(call, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new CallOutcome.TransientFailure($"timed out after {timeout.TotalSeconds:0.###} s on {call.Machine}");
        }
        catch (Exception e)
        {
            return new CallOutcome.TransientFailure($"executor error on {call.Machine}: {e.Message}");
        }
    }
}
