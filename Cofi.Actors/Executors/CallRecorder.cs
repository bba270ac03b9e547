using System.Collections.Concurrent;
using System.Text;

namespace Cofi.Actors.Executors;

/// <summary>One finished call, as the executor saw it.</summary>
public sealed record CallRecord(long BatchId, string Stage, string File, int Attempt, string Machine, string Outcome, DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>Keeps a record of every call an executor made: the evidence that completed work is not called again.</summary>
public interface ICallRecorder
{
    void Record(CallRecord record);
}

public sealed class NoCallRecorder : ICallRecorder
{
    public static readonly NoCallRecorder Instance = new();

    public void Record(CallRecord record) { }
}

public sealed class InMemoryCallRecorder : ICallRecorder
{
    private readonly ConcurrentQueue<CallRecord> _records = new();

    public IReadOnlyList<CallRecord> Records => _records.ToArray();

    public void Record(CallRecord record) => _records.Enqueue(record);
}

/// <summary>Appends one tab-separated line per call, flushed at once so that a killed process leaves a complete record.</summary>
public sealed class FileCallRecorder : ICallRecorder, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileCallRecorder(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
    }

    public void Record(CallRecord r)
    {
        var line = $"{r.BatchId}\t{r.Stage}\t{r.File}\t{r.Attempt}\t{r.Machine}\t{r.Outcome}\t{r.StartedAt:O}\t{r.FinishedAt:O}";
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    public static IReadOnlyList<CallRecord> Read(string path) => File.Exists(path)
        ? File.ReadLines(path).Where(l => l.Length > 0).Select(Parse).OfType<CallRecord>().ToList()
        : [];

    private static CallRecord? Parse(string line)
    {
        var f = line.Split('\t');
        // A line cut short by a kill is not a finished call.
        if (f.Length != 8 || !DateTimeOffset.TryParse(f[7], out var finished)) return null;
        return new CallRecord(long.Parse(f[0]), f[1], f[2], int.Parse(f[3]), f[4], f[5], DateTimeOffset.Parse(f[6]), finished);
    }

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }
}
