using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Progress;
using Cofi.Actors.Progress.History;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Progress;

/// <summary>
/// Two coordinators in one cluster (two ActorSystems in this process, on port 0): progress published where the
/// stages run reaches the dashboard's broadcaster on the other node, through distributed pub-sub, and breaker changes
/// reach both nodes' history keepers.
/// </summary>
public sealed class ProgressAcrossNodesSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Stages = ["distribution", "stt"];

    private ActorSystem _stages = null!;
    private ActorSystem _web = null!;

    private static ActorSystem Coordinator() => ActorSystem.Create("cofi", ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster.roles = [coordinator]
        akka.cluster.pub-sub.role = coordinator
        akka.loglevel = WARNING
        """).WithFallback(CofiConfig.Defaults));

    public async Task InitializeAsync()
    {
        _stages = Coordinator();
        _web = Coordinator();
        var first = Cluster.Get(_stages);
        await first.JoinAsync(first.SelfAddress);
        await Cluster.Get(_web).JoinAsync(first.SelfAddress);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_web.Terminate(), _stages.Terminate());
    }

    private static IActorRef Broadcaster(ActorSystem system) =>
        system.ActorOf(ProgressBroadcaster.Props(new ProgressSettings(TimeSpan.FromMilliseconds(50), 1, 64, 100, 10), Stages, TimeProvider.System),
            ProgressBroadcaster.Name);

    [Fact]
    public async Task Should_show_progress_recorded_on_another_coordinator()
    {
        Broadcaster(_stages);
        var web = Broadcaster(_web);
        var history = History(_web);
        var subscription = await web.Ask<ProgressSubscription>(new ProgressCommands.Subscribe(null, null), Patience);
        (await subscription.Frames.ReadAsync()).Type.ShouldBe(FrameTypes.Snapshot);

        // The topic's subscribers are gossiped between the nodes: publish until the other node hears it.
        var until = DateTime.UtcNow + Patience;
        ProgressFrame? seen = null;
        for (var done = 1; seen is null; done++)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the other coordinator never saw the progress");
            _stages.EventStream.Publish(new StageProgress(new StageCounts(4, "stt", done, 0, 0, 1, 0, null, false), DateTimeOffset.UtcNow,
                [new FileRecord(done, $"call-{done}.wav", FileStatus.Done, "{}", null, 1, "gpu-1", 5)], new Dictionary<string, int> { ["gpu-1"] = 1 }));
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                seen = await subscription.Frames.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stages.EventStream.Publish(new BatchUpdated(new BatchSummary(4, "/in", BatchStatus.Completed, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)));
        var batch = await NextOfTypeAsync(subscription, FrameTypes.Batch);

        seen.Type.ShouldBe(FrameTypes.Stage);
        seen.Stages.Single().ShouldSatisfyAllConditions(s => s.BatchId.ShouldBe(4), s => s.Stage.ShouldBe("stt"));
        seen.Files.Single().Machine.ShouldBe("gpu-1");
        batch.Batches.Single().Status.ShouldBe(BatchStatus.Completed);
        var machines = await web.Ask<MachineLoadList>(ProgressQueries.GetMachines.Instance, Patience);
        machines.Machines.Single().Machine.ShouldBe("gpu-1");

        // The other coordinator's history keeper heard the same progress, so its dashboard shows the batch over time.
        var throughput = await history.Ask<object>(new HistoryQueries.GetThroughput(4), Patience);
        throughput.ShouldBeOfType<ThroughputHistory>().Stages.Single().Stage.ShouldBe("stt");
        ((ThroughputHistory)throughput).Stages.Single().Settled.ShouldBeGreaterThan(0);
        (await history.Ask<LatencyReport>(new HistoryQueries.GetLatency(4, null), Patience)).Machines.ShouldBe(["gpu-1"]);
    }

    [Fact]
    public async Task Should_put_a_gpu_machines_breaker_change_once_into_every_coordinators_history()
    {
        Broadcaster(_stages);
        Broadcaster(_web);
        var histories = new[] { _stages, _web }.Select(History).ToList();
        await TopicReachesAsync(histories[1]);
        var opened = new MachineCircuitChanged(5, "gpu-1", "Open", DateTimeOffset.UtcNow);
        var probing = new MachineCircuitChanged(5, "n1", "HalfOpen", opened.At.AddSeconds(1));

        // A worker on the coordinator running the batch publishes on its event stream; a GPU node's comes over the wire.
        _stages.EventStream.Publish(opened);
        _web.ActorSelection(ProgressBroadcaster.PathAt(Cluster.Get(_stages).SelfAddress)).Tell(probing);

        CircuitMark[] expected = [new(opened.At, "gpu-1", "Open"), new(probing.At, "n1", "HalfOpen")];
        foreach (var history in histories)
        {
            var marks = await MarksAsync(history, expected.Length);
            // The two came by different ways, so their order of arrival is not fixed.
            marks.OrderBy(m => m.At).ToArray().ShouldBe(expected, "each change once");
        }
    }

    private static IActorRef History(ActorSystem system) =>
        system.ActorOf(HistoryKeeper.Props(Stages, new Dictionary<string, int> { ["stt"] = 2 }, TimeProvider.System), HistoryKeeper.Name);

    /// <summary>
    /// The topic's subscribers are gossiped between the nodes: publishes progress of another batch where the stages run
    /// until <paramref name="history"/>, on the other node, has heard it.
    /// </summary>
    private async Task TopicReachesAsync(IActorRef history)
    {
        var until = DateTime.UtcNow + Patience;
        while (await history.Ask<object>(new HistoryQueries.GetThroughput(99), Patience) is HistoryUnknown)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the other coordinator never heard the topic");
            _stages.EventStream.Publish(new StageProgress(new StageCounts(99, "stt", 0, 0, 0, 1, 0, null, false), DateTimeOffset.UtcNow, [], null));
            await Task.Delay(100);
        }
    }

    /// <summary>The breaker changes <paramref name="history"/> keeps for batch 5, once it has at least <paramref name="least"/>.</summary>
    private static async Task<IReadOnlyList<CircuitMark>> MarksAsync(IActorRef history, int least)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var marks = await history.Ask<object>(new HistoryQueries.GetFleet(5), Patience) is FleetHistory fleet ? fleet.Circuits : [];
            if (marks.Count >= least || DateTime.UtcNow > until) return marks;
            await Task.Delay(50);
        }
    }

    private static async Task<ProgressFrame> NextOfTypeAsync(ProgressSubscription subscription, string type)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var frame = await subscription.Frames.ReadAsync(timeout.Token);
            if (frame.Type == type) return frame;
        }
    }
}
