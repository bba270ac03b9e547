using Akka.Actor;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>
/// One retry-failed run, a short-lived child of the batch's supervisor: collects the files failed at the stages it
/// names, has every model stage drop their records so the files are processed again, tells the parent and stops.
/// </summary>
public sealed class RetryFailedRun : ReceiveActor
{
    /// <summary>Told to the parent: how many file records were dropped, or why the run did not finish.</summary>
    public sealed record Finished(int Files, string? Error);

    private sealed record Collected(IReadOnlyList<int> FileIds, string? Error);

    private static readonly TimeSpan AskTimeout = TimeSpan.FromMinutes(1);

    private readonly IReadOnlyList<IActorRef> _failedAt;
    private readonly IReadOnlyList<IActorRef> _modelStages;
    private readonly bool _includeQuarantined;

    /// <param name="failedAt">the stages whose failed files are retried</param>
    /// <param name="modelStages">every stage after distribution: each drops the files' records</param>
    /// <param name="includeQuarantined">quarantined files are taken back too</param>
    public RetryFailedRun(IReadOnlyList<IActorRef> failedAt, IReadOnlyList<IActorRef> modelStages, bool includeQuarantined)
    {
        _failedAt = failedAt;
        _modelStages = modelStages;
        _includeQuarantined = includeQuarantined;
        Receive<Collected>(OnCollected);
        Receive<Finished>(m =>
        {
            Context.Parent.Tell(m);
            Context.Stop(Self);
        });
    }

    public static Props Props(IReadOnlyList<IActorRef> failedAt, IReadOnlyList<IActorRef> modelStages, bool includeQuarantined) =>
        Akka.Actor.Props.Create(() => new RetryFailedRun(failedAt, modelStages, includeQuarantined));

    protected override void PreStart() =>
        Task.WhenAll(_failedAt.Select(s => s.Ask<StageReplies.FailedFiles>(new StageQueries.GetFailed(_includeQuarantined), AskTimeout)))
            .PipeTo(Self, Self,
                replies => new Collected(replies.SelectMany(r => r.FileIds).Distinct().Order().ToList(), null),
                e => new Collected([], e.Message));

    private void OnCollected(Collected collected)
    {
        if (collected.Error is not null)
        {
            Self.Tell(new Finished(0, collected.Error));
            return;
        }
        Task.WhenAll(_modelStages.Select(s => s.Ask<StageReplies.Requeued>(new StageCommands.Requeue(collected.FileIds), AskTimeout)))
            .PipeTo(Self, Self, replies => new Finished(replies.Sum(r => r.Count), null), e => new Finished(0, e.Message));
    }
}
