using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>
/// A stage's unsettled files: ready to go, waiting for a retry, or in flight. Not persisted: it is rebuilt
/// from what the previous stage hands on again after a restart, minus what this stage had recorded.
/// </summary>
internal sealed class DispatchQueue
{
    private readonly Dictionary<int, FileWork> _known = new();
    private readonly LinkedList<FileWork> _ready = new();
    private readonly PriorityQueue<FileWork, DateTimeOffset> _retries = new();
    private readonly Dictionary<int, int> _attempts = new();

    public int Ready => _ready.Count;

    public int Waiting => _retries.Count;

    public bool Contains(int fileId) => _known.ContainsKey(fileId);

    public FileWork? Find(int fileId) => _known.GetValueOrDefault(fileId);

    public void Add(FileWork file)
    {
        Track(file);
        _ready.AddLast(file);
    }

    /// <summary>Known here until recorded, but never dispatched (a file settled without a call).</summary>
    public void Track(FileWork file) => _known[file.FileId] = file;

    /// <summary>Work taken back from a lost worker goes first: it has waited longest.</summary>
    public void Requeue(FileWork file) => _ready.AddFirst(file);

    public void RetryAt(FileWork file, DateTimeOffset due) => _retries.Enqueue(file, due);

    public DateTimeOffset? NextRetryDue => _retries.TryPeek(out _, out var due) ? due : null;

    public void ReleaseDueRetries(DateTimeOffset now)
    {
        while (_retries.TryPeek(out var file, out var due) && due <= now)
        {
            _retries.Dequeue();
            _ready.AddLast(file);
        }
    }

    /// <summary>Takes the first ready file that <paramref name="fits"/> allows, counting one more attempt at it.</summary>
    public bool TryTake(Func<FileWork, bool> fits, out FileWork file, out int attempt)
    {
        for (var node = _ready.First; node is not null; node = node.Next)
        {
            if (!fits(node.Value)) continue;
            file = node.Value;
            _ready.Remove(node);
            attempt = _attempts[file.FileId] = _attempts.GetValueOrDefault(file.FileId) + 1;
            return true;
        }
        file = null!;
        attempt = 0;
        return false;
    }

    /// <summary>A call that was declined without being attempted: it goes back first and its attempt does not count.</summary>
    public void Decline(FileWork file)
    {
        if (_attempts.TryGetValue(file.FileId, out var attempts)) _attempts[file.FileId] = Math.Max(0, attempts - 1);
        _ready.AddFirst(file);
    }

    public void Settle(int fileId)
    {
        _known.Remove(fileId);
        _attempts.Remove(fileId);
    }
}
