using System.Net.Http.Json;
using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Inputs;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Security;

/// <summary>A batch submitted over the API whose folder and manifest hold entries that lead out of the input root: those fail, the batch goes on.</summary>
public sealed class InputRootsSpecs
{
    [Fact]
    public async Task Should_fail_each_entry_that_leads_out_of_the_root_and_complete_the_rest()
    {
        await using var web = await CofiWeb.StartAsync();
        var outside = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(web.Root)!, "outside")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "passwd"), "root:x:0:0:TOP-SECRET");
        SampleBatch.Generate(outside, 2, 0);
        var folder = web.Samples("hostile", 5);
        File.CreateSymbolicLink(Path.Combine(folder, "passwd.wav"), Path.Combine(outside, "passwd"));
        File.CreateSymbolicLink(Path.Combine(folder, "hop.wav"), Path.Combine(folder, "passwd.wav"));
        Directory.CreateSymbolicLink(Path.Combine(web.Root, "elsewhere"), outside);
        var manifest = Path.Combine(web.Root, "hostile.txt");
        await File.WriteAllLinesAsync(manifest, ["hostile/call-00001.wav", "../outside/call-00000.wav", Path.Combine(outside, "call-00001.wav"), "elsewhere/passwd"]);

        var fromFolder = await web.SubmitAsync(folder);
        var fromManifest = await web.SubmitAsync(manifest);
        (await web.WaitForEndAsync(fromFolder)).Status.ShouldBe(BatchStatus.Completed);
        (await web.WaitForEndAsync(fromManifest)).Status.ShouldBe(BatchStatus.Completed);
        await web.DrainReadModelAsync();

        var folderFailed = await FailedAsync(web, fromFolder);
        var manifestFailed = await FailedAsync(web, fromManifest);
        folderFailed.Keys.Order().ShouldBe(["hop.wav", "passwd.wav"]);
        folderFailed.Values.ShouldAllBe(r => r.StartsWith("refused: the file's real path"));
        manifestFailed.Keys.Order().ShouldBe(["call-00000.wav", "call-00001.wav", "passwd"]);
        manifestFailed["call-00000.wav"].ShouldContain("'..' segment");
        folderFailed.Values.Concat(manifestFailed.Values).ShouldAllBe(r => !r.Contains("TOP-SECRET") && !r.Contains("726F6F74"));
        var batch = await web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{fromFolder}");
        var distribution = batch.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "distribution");
        (distribution.GetProperty("done").GetInt32(), distribution.GetProperty("failed").GetInt32()).ShouldBe((5, 2));
    }

    private static async Task<Dictionary<string, string>> FailedAsync(CofiWeb web, long batchId)
    {
        var page = await web.Viewer.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}/failed?limit=100");
        return page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("file").GetString()!, i => i.GetProperty("reason").GetString()!);
    }
}
