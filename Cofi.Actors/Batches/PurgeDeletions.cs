using Akka.Actor;
using Akka.Event;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Batches;

/// <summary>
/// The BatchManager's child that deletes the data of the batches it has recorded as purged (<see cref="BatchPurge"/>,
/// off the actor's thread), one deletion a batch at a time, and keeps who asked for each. It hands the result back to
/// the manager with the askers, so that the manager records the purge complete before they are answered.
/// </summary>
public sealed class PurgeDeletions : ReceiveActor
{
    public const string Name = "purge-deletions";

    /// <summary>Delete the batch's data; the sender is answered once it is gone (<see cref="Deleted"/> to the parent) or with <see cref="BatchReplies.PurgeFailed"/>.</summary>
    public sealed record Delete(long BatchId, int ChunkRows);

    /// <summary>Told to the parent: the batch's rows deleted by table, and whom to answer.</summary>
    public sealed record Deleted(long BatchId, IReadOnlyDictionary<string, long> Rows, IReadOnlyList<IActorRef> Askers);

    private sealed record Done(long BatchId, IReadOnlyDictionary<string, long>? Rows, Exception? Cause);

    private readonly DatabaseSettings _database;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, List<IActorRef>> _askers = new();

    public PurgeDeletions(DatabaseSettings database)
    {
        _database = database;
        Receive<Delete>(m =>
        {
            var underWay = _askers.TryGetValue(m.BatchId, out var askers);
            if (!underWay) _askers[m.BatchId] = askers = [];
            if (!Sender.IsNobody()) askers!.Add(Sender);
            if (!underWay) Start(m);
        });
        Receive<Done>(m =>
        {
            var askers = _askers.Remove(m.BatchId, out var waiting) ? waiting : [];
            if (m.Rows is not null)
            {
                Context.Parent.Tell(new Deleted(m.BatchId, m.Rows, askers));
                return;
            }
            _log.Error(m.Cause, "Purging batch {0} stopped before all its data was deleted; purging it again finishes the work", m.BatchId);
            foreach (var asker in askers) asker.Tell(new BatchReplies.PurgeFailed(m.BatchId, m.Cause!.Message));
        });
    }

    public static Props Props(DatabaseSettings database) => Akka.Actor.Props.Create(() => new PurgeDeletions(database));

    private void Start(Delete delete)
    {
        var (database, events, batchId) = (_database, Context.System.EventStream, delete.BatchId);
        Task.Run(() => BatchPurge.DeleteAsync(database, batchId, delete.ChunkRows, deletedSoFar: rows => events.Publish(new BatchPurgeProgress(batchId, rows))))
            .PipeTo(Self, Self, rows => new Done(batchId, rows, null), e => new Done(batchId, null, e));
    }
}
