using System.Diagnostics;
using LinqToDB.Data;

namespace Cofi.Host.Benchmarks;

/// <summary>
/// Counts every command linq2db sends in this process (the journal, snapshot store and read-model writer all go
/// through it), through its process-wide trace hook: all of them, and the SELECTs among them.
/// </summary>
public sealed class DatabaseCommandCounter : IDisposable
{
    private long _commands;
    private long _selects;

    public DatabaseCommandCounter()
    {
        DataConnection.TurnTraceSwitchOn(TraceLevel.Info);
        DataConnection.DefaultOnTraceConnection = OnTrace;
    }

    public (long Commands, long Selects) Read() => (Interlocked.Read(ref _commands), Interlocked.Read(ref _selects));

    private void OnTrace(TraceInfo info)
    {
        if (info.TraceInfoStep != TraceInfoStep.BeforeExecute) return;
        Interlocked.Increment(ref _commands);
        if (IsSelect(info.CommandText ?? info.SqlText)) Interlocked.Increment(ref _selects);
    }

    /// <summary>linq2db starts its SQL with a comment line naming the provider; the statement follows.</summary>
    private static bool IsSelect(string? sql) =>
        sql is not null && sql.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)) is { } first
        && first.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        DataConnection.DefaultOnTraceConnection = null!;
        DataConnection.TurnTraceSwitchOn(TraceLevel.Off);
    }
}
