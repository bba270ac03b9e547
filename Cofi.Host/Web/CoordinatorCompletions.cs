using Akka.Actor;
using Akka.Hosting;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Management;

namespace Cofi.Host.Web;

/// <summary>Batch ids, newest first.</summary>
public sealed class BatchCompletion(IRequiredActor<BatchManager> manager) : ICompletionSource
{
    public string Kind => "batch";

    public async Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel) =>
        (await manager.ActorRef.Ask<BatchReplies.List>(BatchQueries.GetBatches.Instance, TimeSpan.FromSeconds(10), cancel)).Batches
            .OrderByDescending(b => b.BatchId).Select(b => b.BatchId.ToString()).ToList();
}

/// <summary>The names of the GPU nodes that are up.</summary>
public sealed class NodeCompletion(ActorSystem system) : ICompletionSource
{
    public string Kind => "node";

    public async Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel) =>
        (await GpuNodes.DescribeAsync(system, cancel)).Select(n => n.Node).ToList();
}

/// <summary>The GPU machines this coordinator knows of.</summary>
public sealed class MachineCompletion(CofiSettings settings, ActorSystem system, IRequiredActor<Actors.Progress.ProgressBroadcaster> broadcaster) : ICompletionSource
{
    public string Kind => "machine";

    public async Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel) =>
        (await MachineApi.MachinesAsync(settings, system, broadcaster, cancel)).Value!.Select(m => m.Name).ToList();
}

/// <summary>The pipeline's stages.</summary>
public sealed class StageCompletion(CofiSettings settings) : ICompletionSource
{
    public string Kind => "stage";

    public Task<IReadOnlyList<string>> ValuesAsync(CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<string>>(settings.Pipeline.Stages.Select(s => s.Name).ToList());
}
