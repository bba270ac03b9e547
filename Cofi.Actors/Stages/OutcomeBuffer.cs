using System.Text;
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

    /// <summary>
    /// The next group to write, in the order the files settled: as many records as fit in <paramref name="maxBytes"/>
    /// (at least one); the rest wait for the next group. Its files stay pending until <see cref="Stored"/>.
    /// </summary>
    public IReadOnlyList<FileRecord> TakeGroup(int maxBytes)
    {
        var size = 0L;
        var count = 0;
        while (count < _staged.Count && (count == 0 || size + SizeOf(_staged[count]) <= maxBytes)) size += SizeOf(_staged[count++]);
        var group = _staged.GetRange(0, count).ToArray();
        _staged.RemoveRange(0, count);
        return group;
    }

    /// <summary>About what a record takes in a journal event: its text as UTF-8, and a little for the rest.</summary>
    internal static long SizeOf(FileRecord record)
    {
        const int fields = 128;
        static int Text(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s);
        var size = fields + Text(record.Name) + Text(record.Result) + Text(record.Reason);
        foreach (var attempt in record.History ?? []) size += fields + Text(attempt.Error) + Text(attempt.Request) + Text(attempt.Response);
        return size;
    }

    public void Stored(int fileId) => _pending.Remove(fileId);
}
