using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>
/// Records of settled files waiting to be written to the journal together, and those being written: a file is
/// pending from the moment it settles until its group is stored.
/// </summary>
internal sealed class OutcomeBuffer
{
    private readonly List<FileRecord> _staged = new();
    private readonly HashSet<int> _pending = new();

    /// <summary>Records waiting for the next group.</summary>
    public int Staged => _staged.Count;

    public bool IsPending(int fileId) => _pending.Contains(fileId);

    /// <summary>Adds a record to the next group; false when the file is already pending.</summary>
    public bool Stage(FileRecord record)
    {
        if (!_pending.Add(record.FileId)) return false;
        _staged.Add(record);
        return true;
    }

    /// <summary>The next group to write; its files stay pending until <see cref="Stored"/>.</summary>
    public IReadOnlyList<FileRecord> TakeGroup()
    {
        var group = _staged.ToArray();
        _staged.Clear();
        return group;
    }

    public void Stored(int fileId) => _pending.Remove(fileId);
}
