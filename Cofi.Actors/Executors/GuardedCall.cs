using Polly;
using Polly.Timeout;

namespace Cofi.Actors.Executors;

/// <summary>Runs one call under the stage's timeout (a Polly timeout), turning a hang or an executor's exception into a transient failure.</summary>
public static class GuardedCall
{
    public static async Task<CallOutcome> RunAsync(IStageExecutor executor, StageCall call, TimeSpan timeout, CancellationToken shutdown)
    {
        var limit = executor is IOwnsRetries own ? own.Deadline : timeout;
        var pipeline = limit == Timeout.InfiniteTimeSpan
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddTimeout(limit).Build();
        try
        {
            return await pipeline.ExecuteAsync(token => new ValueTask<CallOutcome>(executor.ExecuteAsync(call, token)), shutdown).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            return new CallOutcome.TransientFailure($"timed out after {limit.TotalSeconds:0.###} s on {call.Machine}");
        }
        catch (OperationCanceledException)
        {
            return new CallOutcome.TransientFailure($"cancelled on {call.Machine}");
        }
        catch (Exception e)
        {
            return new CallOutcome.TransientFailure($"executor error on {call.Machine}: {e.Message}");
        }
    }
}
