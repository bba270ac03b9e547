namespace Cofi.Actors.Stages;

/// <summary>
/// When a stage saves a snapshot: after <c>snapshot-every</c> events, and only once its state has doubled since the
/// last snapshot. A stage's snapshot holds every file it settled, so snapshotting a growing state at a fixed event
/// interval would write it again and again (quadratic in the batch size); doubling keeps the total written below
/// twice the final state while replay after a snapshot stays bounded.
/// <para>
/// The stages of a batch grow together, so with one rule they would all double, and snapshot, at the same moment.
/// <paramref name="phase"/> (0 to 1) moves each one's first snapshot later by that share of the interval; its
/// doublings then start from another size, and the snapshots of the stages spread over the doubling period.
/// </para>
/// </summary>
public sealed class SnapshotPolicy(int everyEvents, double phase = 0)
{
    private long _lastSequenceNr;
    private int _lastSize;

    public bool IsDue(long sequenceNr, int size) =>
        sequenceNr - _lastSequenceNr >= FirstInterval && size >= Math.Max(1, 2 * _lastSize);

    public void Taken(long sequenceNr, int size)
    {
        _lastSequenceNr = sequenceNr;
        _lastSize = size;
    }

    private long FirstInterval => _lastSize == 0 ? everyEvents + (long)(everyEvents * Math.Clamp(phase, 0, 1)) : everyEvents;
}
