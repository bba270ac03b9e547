namespace Cofi.Actors.Logging;

public static class EventWriterCommands
{
    /// <summary>Write everything buffered now and answer <see cref="EventWriterStats"/> once nothing is left to write.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }

    /// <summary>Answered at once with <see cref="EventWriterStats"/>.</summary>
    public sealed record GetStats
    {
        public static readonly GetStats Instance = new();
    }
}

/// <summary>
/// The EventWriter's figures since it started: rows and statements written (all tables, and batchExecutionLog on
/// its own), flushes, failed flush attempts, flushes refused because another writer had moved the read model on,
/// the longest a row waited in the buffer, what is buffered now, how often it paused the stages (the rows waiting
/// reached the high-water mark), and how long its successful flushes took together (<see cref="WriteTime"/>: rows over
/// it is the rate it writes at while it writes) and the CPU time they used (<see cref="WriteCpuTime"/>, on Linux).
/// </summary>
public sealed record EventWriterStats(
    long Rows,
    long Statements,
    long LogRows,
    long LogStatements,
    long Flushes,
    long FailedFlushes,
    long RefusedFlushes,
    TimeSpan LargestFlushDelay,
    int Buffered,
    bool Behind,
    long Pauses,
    TimeSpan WriteTime,
    TimeSpan WriteCpuTime)
{
    public double RowsPerWriteSecond => WriteTime <= TimeSpan.Zero ? 0 : Rows / WriteTime.TotalSeconds;

    public double RowsPerWriteCpuSecond => WriteCpuTime <= TimeSpan.Zero ? 0 : Rows / WriteCpuTime.TotalSeconds;

    public double RowsPerLogInsert => LogStatements == 0 ? 0 : (double)LogRows / LogStatements;

    private string PerInsert
    {
        get
        {
            var rows = RowsPerLogInsert.ToString("N0");
            return $"{rows} {(rows == "1" ? "row" : "rows")} per batchExecutionLog INSERT";
        }
    }

    public override string ToString() =>
        $"{Rows:N0} rows in {Statements:N0} statements over {Flushes:N0} flushes ({PerInsert}), " +
        $"{FailedFlushes:N0} failed attempts, {RefusedFlushes:N0} refused, largest flush delay {LargestFlushDelay.TotalMilliseconds:N0} ms, " +
        $"{Pauses:N0} {(Pauses == 1 ? "pause" : "pauses")} of the stages, {Buffered:N0} rows buffered";
}
