using System.Collections.Concurrent;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Stages;

namespace Cofi.Host.Terminal;

/// <summary>
/// The latest counts of each stage of one batch, and how a stop's hold ended, fed from the event stream and read by
/// the terminal view.
/// </summary>
public sealed class ProgressBoard
{
    private readonly ConcurrentDictionary<string, StageCounts> _stages = new();
    private int? _inFlightFrozen;

    public long BatchId { get; set; }

    public StageCounts? this[string stage] => _stages.GetValueOrDefault(stage);

    /// <summary>Calls out at every stage, as the stages last said (or when <see cref="FreezeInFlight"/> was called).</summary>
    public int InFlight => _inFlightFrozen ?? _stages.Values.Sum(s => s.InFlight);

    /// <summary>Keeps <see cref="InFlight"/> as it is now: the figure a stop reports.</summary>
    public void FreezeInFlight() => _inFlightFrozen ??= _stages.Values.Sum(s => s.InFlight);

    /// <summary>The answer of a stop's hold, once it came.</summary>
    public BatchesHeld? Held { get; private set; }

    internal void Update(StageCounts counts)
    {
        if (counts.BatchId == BatchId) _stages[counts.Stage] = counts;
    }

    public void Seed(IEnumerable<StageCounts> counts)
    {
        foreach (var c in counts) Update(c);
    }

    /// <summary>Subscribes the board to <see cref="StageProgress"/> and <see cref="BatchesHeld"/> on the system's event stream.</summary>
    public IActorRef Attach(ActorSystem system) => system.ActorOf(Props.Create(() => new Listener(this)), "terminal-progress");

    private sealed class Listener : ReceiveActor
    {
        public Listener(ProgressBoard board)
        {
            Receive<StageProgress>(p => board.Update(p.Counts));
            Receive<BatchesHeld>(h => board.Held = h);
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
            Context.System.EventStream.Subscribe(Self, typeof(BatchesHeld));
        }
    }
}
