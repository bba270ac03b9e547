using System.Data.Common;
using Cofi.Actors.Files;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Tests.Support;

/// <summary>
/// Compares every read-model table with the journal, file by file: one file_complete / file_error row per
/// (batch, stage, file) with the journal's status, one processing_logs row per recorded attempt, the
/// fileDistribution flags, one file_results row per file, and batchStatus counts. Returns what disagrees.
/// </summary>
public static class ReadModelComparison
{
    /// <summary>The default pipeline's stages, in order.</summary>
    public static readonly string[] Stages = ["distribution", "denoise", "ivr", "lid", "triage", "stt", "llm1", "llm2", "metadata"];

    /// <summary>The default pipeline's stages with a done flag in fileDistribution.</summary>
    public static readonly HashSet<string> Flagged = ["denoise", "ivr", "lid", "stt", "llm1", "llm2"];

    public static async Task<IReadOnlyList<string>> DifferencesAsync(JournalReader journal, DatabaseSettings db, long batchId, IReadOnlyList<string> stages,
        IReadOnlySet<string> flagged)
    {
        var problems = new List<string>();
        using var connection = db.ReadModel.OpenRawConnection();
        var log = Rows(connection, $"SELECT stage, fileName, status FROM batchExecutionLog WHERE batchId = {batchId} AND eventType IN ('file_complete', 'file_error')")
            .GroupBy(r => (Stage: (string)r[0]!, File: (string)r[1]!)).ToDictionary(g => g.Key, g => g.Select(r => (string)r[2]!).ToList());
        var attempts = Rows(connection, $"SELECT stage_name, call_id, attempt FROM processing_logs WHERE batch_id = {batchId}")
            .GroupBy(r => (Stage: (string)r[0]!, File: (string)r[1]!)).ToDictionary(g => g.Key, g => g.Select(r => Convert.ToInt32(r[2])).OrderBy(a => a).ToList());
        var flags = Rows(connection, $"SELECT * FROM fileDistribution WHERE batchId = {batchId}").Count;
        var results = Rows(connection, $"SELECT file_name FROM file_results WHERE batch_id = {batchId}").Select(r => (string)r[0]!).ToList();
        var files = 0;
        foreach (var stage in stages)
        {
            var recorded = await journal.RecordedAsync(batchId, stage);
            if (stage == stages[0]) files = recorded.Count;
            var doneFlags = flagged.Contains(stage)
                ? Rows(connection, $"SELECT file, {ReadModelTables.DoneColumn(stage)} FROM fileDistribution WHERE batchId = {batchId}").ToDictionary(r => (string)r[0]!, r => Convert.ToInt32(r[1]))
                : new Dictionary<string, int>();
            foreach (var record in recorded)
            {
                var expected = record.Status.ToString().ToLowerInvariant();
                var rows = log.GetValueOrDefault((stage, record.Name)) ?? [];
                if (rows.Count != 1 || rows[0] != expected)
                    problems.Add($"{stage}/{record.Name}: journal says {expected}, batchExecutionLog has [{string.Join(", ", rows)}]");
                var history = record.History is { Count: > 0 } h ? h.Select(a => a.Attempt).ToList() : record.Attempts > 0 ? [record.Attempts] : new List<int>();
                var logged = attempts.GetValueOrDefault((stage, record.Name)) ?? [];
                if (stage != stages[0] && !history.OrderBy(a => a).SequenceEqual(logged))
                    problems.Add($"{stage}/{record.Name}: journal attempts [{string.Join(", ", history)}], processing_logs [{string.Join(", ", logged)}]");
                if (flagged.Contains(stage))
                {
                    var done = doneFlags.GetValueOrDefault(record.Name, -1);
                    if (done != (record.Status == FileStatus.Done ? 1 : 0)) problems.Add($"{stage}/{record.Name}: fileDistribution.{ReadModelTables.DoneColumn(stage)} = {done}, journal says {expected}");
                }
            }
            var extra = log.Keys.Count(k => k.Stage == stage) - recorded.Select(r => r.Name).Distinct().Count();
            if (extra != 0) problems.Add($"{stage}: {extra} batchExecutionLog file rows the journal does not record");
        }
        if (flags != files) problems.Add($"fileDistribution has {flags} rows for {files} files");
        if (results.Count != files || results.Distinct().Count() != files) problems.Add($"file_results has {results.Count} rows ({results.Distinct().Count()} distinct) for {files} files");
        var processed = Convert.ToInt32(Scalar(connection, $"SELECT processedFiles FROM batchStatus WHERE id = {batchId}"));
        if (processed != files) problems.Add($"batchStatus.processedFiles = {processed}, expected {files}");
        return problems;
    }

    public static List<object?[]> Rows(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static object? Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
