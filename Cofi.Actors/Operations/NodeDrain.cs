using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Operations;

/// <summary>How an operator's drain began: the node's address, or (null) no GPU node of that name, with the names that answered.</summary>
public sealed record DrainStarted(string Node, string? Address, IReadOnlyList<string> Known);

/// <summary>
/// One operator's drain, started by the API of the node the operator asked: asks every GPU member for the node of
/// that name, reports it draining (or not found), and reports again once the cluster has removed it.
/// </summary>
public sealed class NodeDrain : ReceiveActor, IWithTimers
{
    private sealed record AnswerTimeout;

    private readonly string _node;
    private readonly TaskCompletionSource<DrainStarted> _started;
    private readonly TaskCompletionSource _left;
    private readonly HashSet<string> _known = new();
    private readonly HashSet<string> _removed = new();
    private readonly TimeSpan _answerWithin;
    private int _waitingFor;
    private string? _address;

    public NodeDrain(string node, TaskCompletionSource<DrainStarted> started, TaskCompletionSource left, TimeSpan answerWithin)
    {
        _node = node;
        _started = started;
        _left = left;
        _answerWithin = answerWithin;

        Receive<Gpu.GpuNodeIdentity>(m =>
        {
            _known.Add(m.Node);
            _waitingFor--;
            if (m.Leaving && _address is null)
            {
                _address = m.Address;
                _started.TrySetResult(new DrainStarted(_node, m.Address, _known.Order().ToList()));
                Timers.Cancel("answers");
                if (_removed.Contains(m.Address)) Left();
            }
            else if (_address is null && _waitingFor == 0) NotFound();
        });
        Receive<AnswerTimeout>(_ => NotFound());
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            _removed.Add(m.Member.Address.ToString());
            if (m.Member.Address.ToString() == _address) Left();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string node, TaskCompletionSource<DrainStarted> started, TaskCompletionSource left, TimeSpan answerWithin) =>
        Akka.Actor.Props.Create(() => new NodeDrain(node, started, left, answerWithin));

    protected override void PreStart()
    {
        // Listening before asking: a node that drains fast is not removed unseen.
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        var gpuMembers = Cluster.Get(Context.System).State.Members.Where(m => m.HasRole(NodeSettings.Gpu) && m.Status == MemberStatus.Up).ToList();
        _waitingFor = gpuMembers.Count;
        foreach (var member in gpuMembers)
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / Gpu.GpuNode.Name).Tell(new Gpu.GpuNodeCommands.Leave(_node));
        if (_waitingFor == 0) NotFound();
        else Timers.StartSingleTimer("answers", new AnswerTimeout(), _answerWithin);
    }

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _started.TrySetCanceled();
        _left.TrySetCanceled();
    }

    private void Left()
    {
        _left.TrySetResult();
        Context.Stop(Self);
    }

    private void NotFound()
    {
        _started.TrySetResult(new DrainStarted(_node, null, _known.Order().ToList()));
        Context.Stop(Self);
    }
}
