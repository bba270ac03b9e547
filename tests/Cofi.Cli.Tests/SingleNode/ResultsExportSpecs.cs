using Cofi.Actors.Persistence;
using Cofi.Cli.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary><c>batch results</c> of a 10,000-file batch, streamed by the node and by cofi, compared row by row with <c>file_results</c>.</summary>
public sealed class ResultsExportSpecs
{
    [Fact]
    public async Task Should_stream_every_result_row_as_file_results_holds_it()
    {
        await using var serve = await ServeNode.StartAsync(latency: "0ms");
        var batchId = await serve.SubmitAsync(serve.Samples("ten-thousand", 10_000, corrupt: 10));
        (await serve.CofiAsync("batch", "watch", batchId.ToString())).ExitCode.ShouldBe(0);
        var output = serve.Dir.File("results.jsonl");

        var export = await serve.CofiAsync("batch", "results", batchId.ToString(), "--output", output);

        export.ExitCode.ShouldBe(0, export.ToString());
        var exported = File.ReadLines(output).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(r => (r.GetProperty("fileId").GetInt32(), r.GetProperty("fileName").GetString(), r.GetProperty("status").GetString(),
                r.GetProperty("reason").ToString(), r.GetProperty("result").ToString())).ToList();
        var table = Rows(serve.Database, batchId);
        exported.Count.ShouldBe(10_000);
        exported.ShouldBe(table, "row by row, in file order");
    }

    private static List<(int, string?, string?, string, string)> Rows(string database, long batchId)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseSettings.ReadModelFile(database)};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT file_id, file_name, status, reason, result FROM file_results WHERE batch_id = {batchId} ORDER BY file_id";
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string?, string?, string, string)>();
        while (reader.Read())
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? "" : reader.GetString(3), reader.IsDBNull(4) ? "" : reader.GetString(4)));
        return rows;
    }
}
