using Cofi.Actors.Configuration;
using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>
/// A stage's unsettled files: ready to go, waiting for a retry, or in flight. Ready files go out in the stage's
/// <see cref="DispatchOrder"/> (as handed on, or longest recording first); files taken back from a lost or declining
/// worker go before all of them. Not persisted: it is rebuilt from what the previous stage hands on again after a
/// restart, minus what this stage had recorded.
/// </summary>
internal sealed class DispatchQueue(DispatchOrder order = DispatchOrder.Input)
{
    private readonly Dictionary<int, FileWork> _known = new();
    private readonly SortedSet<Place> _ready = new();
    private readonly Dictionary<int, Place> _places = new();
    private readonly PriorityQueue<FileWork, DateTimeOffset> _retries = new();
    private readonly Dictionary<int, int> _attempts = new();
    private long _arrivals;
    private long _returns;

    public int Ready => _ready.Count;

    public int Waiting => _retries.Count;

    public bool Contains(int fileId) => _known.ContainsKey(fileId);

    public FileWork? Find(int fileId) => _known.GetValueOrDefault(fileId);

    public void Add(FileWork file)
    {
        Track(file);
        Enqueue(file, order == DispatchOrder.LongestFirst ? -(file.AudioSeconds ?? 0) : 0, ++_arrivals);
    }

    /// <summary>Known here until recorded, but never dispatched (a file settled without a call).</summary>
    public void Track(FileWork file) => _known[file.FileId] = file;

    /// <summary>Work taken back from a lost worker goes first: it has waited longest.</summary>
    public void Requeue(FileWork file) => Enqueue(file, double.NegativeInfinity, -++_returns);

    public void RetryAt(FileWork file, DateTimeOffset due) => _retries.Enqueue(file, due);

    public DateTimeOffset? NextRetryDue => _retries.TryPeek(out _, out var due) ? due : null;

    public void ReleaseDueRetries(DateTimeOffset now)
    {
        while (_retries.TryPeek(out var file, out var due) && due <= now)
        {
            _retries.Dequeue();
            Add(file);
        }
    }

    /// <summary>Takes the first ready file that <paramref name="fits"/> allows, counting one more attempt at it.</summary>
    public bool TryTake(Func<FileWork, bool> fits, out FileWork file, out int attempt)
    {
        foreach (var place in _ready)
        {
            var candidate = _known[place.FileId];
            if (!fits(candidate)) continue;
            _ready.Remove(place);
            _places.Remove(place.FileId);
            file = candidate;
            attempt = _attempts[file.FileId] = _attempts.GetValueOrDefault(file.FileId) + 1;
            return true;
        }
        file = null!;
        attempt = 0;
        return false;
    }

    /// <summary>One more attempt at a file in flight (a backup attempt beside its call): its number.</summary>
    public int NextAttempt(int fileId) => _attempts[fileId] = _attempts.GetValueOrDefault(fileId) + 1;

    /// <summary>A call that was declined without being attempted: it goes back first and its attempt does not count.</summary>
    public void Decline(FileWork file)
    {
        if (_attempts.TryGetValue(file.FileId, out var attempts)) _attempts[file.FileId] = Math.Max(0, attempts - 1);
        Requeue(file);
    }

    public void Settle(int fileId)
    {
        _known.Remove(fileId);
        _attempts.Remove(fileId);
        if (_places.Remove(fileId, out var place)) _ready.Remove(place);
    }

    private void Enqueue(FileWork file, double rank, long sequence)
    {
        if (_places.Remove(file.FileId, out var old)) _ready.Remove(old);
        var place = new Place(rank, sequence, file.FileId);
        _ready.Add(place);
        _places[file.FileId] = place;
    }

    /// <summary>A ready file's place: lower rank first, then lower sequence.</summary>
    private readonly record struct Place(double Rank, long Sequence, int FileId) : IComparable<Place>
    {
        public int CompareTo(Place other)
        {
            var byRank = Rank.CompareTo(other.Rank);
            return byRank != 0 ? byRank : Sequence.CompareTo(other.Sequence);
        }
    }
}
