using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Management;

namespace Cofi.Host.Web.Readiness;

/// <summary>The BatchManager answers: here, or as the cluster singleton on whichever coordinator runs it.</summary>
public sealed class BatchManagerCheck(IRequiredActor<BatchManager> manager) : IReadinessCheck
{
    public string Name => "batch-manager";

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            await manager.ActorRef.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, TimeSpan.FromSeconds(4), cancellationToken);
            return null;
        }
        catch (AskTimeoutException)
        {
            return "the batch manager has not answered within 4 s (still recovering, or the coordinator singleton is moving)";
        }
    }
}
