namespace Cofi.Web.Tests.Support;

/// <summary>
/// A finished 10-file batch named <c>hung</c> with one corrupt file (failed at distribution) and one file whose denoise
/// call hangs on every machine (quarantined there after three machines' 300 ms timeouts), its read model written.
/// </summary>
public static class HungBatch
{
    public const string File = "call-00003.wav";

    public static async Task<(CofiWeb Web, long BatchId)> RunAsync()
    {
        var web = await CofiWeb.StartAsync($$"""
            cofi.simulated.faults { stuck { stage = denoise, files = ["{{File}}"], kind = hang } }
            cofi.pipeline.stage.denoise { timeout = 300ms, max-attempts = 10, backoff-base = 10ms, backoff-max = 10ms }
            """);
        var batchId = await web.SubmitAsync(web.Samples("hung", 10, corrupt: 1));
        await web.WaitForEndAsync(batchId);
        await web.DrainReadModelAsync();
        return (web, batchId);
    }
}
