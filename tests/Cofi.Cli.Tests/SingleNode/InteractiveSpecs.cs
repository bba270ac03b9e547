using Cofi.Cli.Tests.Support;

namespace Cofi.Cli.Tests.SingleNode;

/// <summary>
/// The interactive prompt on a real pseudo-terminal (tmux): tab completion of a batch id, help, history, exit. A serve
/// of its own, so the batch is the only one to complete.
/// </summary>
public sealed class InteractiveSpecs
{
    [Fact]
    public async Task Should_complete_a_batch_id_recall_history_show_help_and_exit()
    {
        await using var _serve = await ServeNode.StartAsync();
        var batchId = await _serve.SubmitAsync(_serve.Samples("prompt", 5), "--name", "prompted");
        // Shown once it has ended: the BatchManager forwards a status query to the batch's supervisor, which drops it while it stops.
        (await _serve.CofiAsync("batch", "watch", batchId.ToString())).ExitCode.ShouldBe(0);
        var history = _serve.Dir.File($"history-{Guid.NewGuid():N}");
        using var terminal = new Tmux($"dotnet {CofiCommand.Dll} {_serve.Address}", new Dictionary<string, string> { ["COFI_API_TOKEN"] = ServeNode.Token, ["COFI_HISTORY"] = history });
        var prompt = $"[{_serve.Address}] cofi>";
        await terminal.WaitForAsync(s => s.Contains(prompt), "the prompt");

        terminal.Type("bat");
        terminal.Keys("Tab");
        terminal.Type("sho");
        terminal.Keys("Tab");
        // tmux drops the space completion leaves after the verb from the end of the line.
        var completed = await terminal.WaitForAsync(s => s.Contains($"{prompt} batch show"), "palette and verb completed");
        terminal.Keys("Tab");
        await terminal.WaitForAsync(s => s.Contains($"{prompt} batch show {batchId}"), "the batch id completed");
        terminal.Keys("Enter");
        await terminal.WaitForAsync(s => s.Contains($"batch {batchId} 'prompted'"), "the batch shown");

        terminal.Type("help");
        terminal.Keys("Enter");
        await terminal.WaitForAsync(s => s.Contains("cluster  cluster membership") && s.Contains("watch"), "the palettes and verbs");

        terminal.Keys("Up", "Up", "Enter");
        await terminal.WaitForAsync(s => s.Split($"batch {batchId} 'prompted'").Length == 3, "the batch shown again from history");
        completed.ShouldNotContain("cofi: ");

        terminal.Type("exit");
        terminal.Keys("Enter");
        await terminal.WaitForAsync(s => s.Contains("exited 0"), "cofi leaving with 0");
        (await File.ReadAllLinesAsync(history)).ShouldBe([$"batch show {batchId}", "help", $"batch show {batchId}", "exit"]);
    }
}
