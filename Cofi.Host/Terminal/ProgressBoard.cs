using System.Collections.Concurrent;
using Akka.Actor;
using Cofi.Actors.Stages;

namespace Cofi.Host.Terminal;

/// <summary>The latest counts of each stage of one batch, fed from the event stream and read by the terminal view.</summary>
public sealed class ProgressBoard
{
    private readonly ConcurrentDictionary<string, StageCounts> _stages = new();

    public long BatchId { get; set; }

    public StageCounts? this[string stage] => _stages.GetValueOrDefault(stage);

    internal void Update(StageCounts counts)
    {
        if (counts.BatchId == BatchId) _stages[counts.Stage] = counts;
    }

    public void Seed(IEnumerable<StageCounts> counts)
    {
        foreach (var c in counts) Update(c);
    }

    /// <summary>Subscribes the board to <see cref="StageProgress"/> on the system's event stream.</summary>
    public IActorRef Attach(ActorSystem system) => system.ActorOf(Props.Create(() => new Listener(this)), "terminal-progress");

    private sealed class Listener : ReceiveActor
    {
        public Listener(ProgressBoard board) => Receive<StageProgress>(p => board.Update(p.Counts));

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
    }
}
