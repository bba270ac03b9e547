namespace Cofi.Actors.Stages;

/// <summary>
/// When a stage saves a snapshot: after <c>snapshot-every</c> events, and only once its state has doubled since the
/// last snapshot. A stage's snapshot holds every file it settled, so snapshotting a growing state at a fixed event
/// interval would write it again and again (quadratic in the batch size); doubling keeps the total written below
/// twice the final state while replay after a snapshot stays bounded.
/// </summary>
public sealed class SnapshotPolicy(int everyEvents)
{
    private long _lastSequenceNr;
    private int _lastSize;

    public bool IsDue(long sequenceNr, int size) =>
        sequenceNr - _lastSequenceNr >= everyEvents && size >= Math.Max(1, 2 * _lastSize);

    public void Taken(long sequenceNr, int size)
    {
        _lastSequenceNr = sequenceNr;
        _lastSize = size;
    }
}
