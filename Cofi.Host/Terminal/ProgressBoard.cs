using System.Collections.Concurrent;
using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Stages;

namespace Cofi.Host.Terminal;

/// <summary>
/// The latest counts of each stage of one batch, and how a stop's hold began and ended, fed from the event stream and
/// read by the terminal view.
/// </summary>
public sealed class ProgressBoard
{
    private readonly ConcurrentDictionary<string, StageCounts> _stages = new();
    private readonly TaskCompletionSource<int> _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long BatchId { get; set; }

    public StageCounts? this[string stage] => _stages.GetValueOrDefault(stage);

    /// <summary>Calls out at every stage, as the stages last said (after each group of outcomes they recorded).</summary>
    public int InFlight => _stages.Values.Sum(s => s.InFlight);

    /// <summary>The calls in flight when a stop's hold began: what the stop waits for.</summary>
    public Task<int> InFlightAtHold => _holding.Task;

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

    /// <summary>Subscribes the board to <see cref="StageProgress"/>, <see cref="BatchHolding"/> and <see cref="BatchesHeld"/> on the system's event stream.</summary>
    public IActorRef Attach(ActorSystem system) => system.ActorOf(Props.Create(() => new Listener(this)), "terminal-progress");

    private sealed class Listener : ReceiveActor
    {
        public Listener(ProgressBoard board)
        {
            Receive<StageProgress>(p => board.Update(p.Counts));
            Receive<BatchesHeld>(h => board.Held = h);
            Receive<BatchHolding>(h =>
            {
                if (h.BatchId == board.BatchId) board._holding.TrySetResult(h.InFlight);
            });
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
            Context.System.EventStream.Subscribe(Self, typeof(BatchesHeld));
            Context.System.EventStream.Subscribe(Self, typeof(BatchHolding));
        }
    }
}
