using System.Text.Json;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Http;

/// <summary>An <c>llm</c> stage against a fake OpenAI-compatible chat-completions endpoint on loopback.</summary>
public sealed class LlmStageSpecs : IDisposable
{
    private const int RequestsPerMinute = 600;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_fill_the_prompt_from_earlier_results_keep_the_answer_and_keep_to_the_request_rate()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 60, 0);
        await using var server = await FakeModelServer.StartAsync(1);
        // Models often fence their JSON: the executor takes it out of the fence.
        server.ChatAnswer = prompt =>
            "```json\n" + JsonSerializer.Serialize(new { summary = $"{prompt.Length} characters", mentionsTranscript = prompt.Contains("[simulated transcript of", StringComparison.Ordinal) }) + "\n```";
        var endpoint = $"http://{server.Machines[0]}:{server.Port}/v1/chat/completions";
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), $$$"""
            cofi.pipeline.stage.llm1 {
              executor = http
              concurrency = 16
              llm {
                endpoints = ["{{{endpoint}}}"]
                model = "test-model"
                prompt = "Summarise this call in {{lid.language}}: {{stt.transcript}} (file {{file.name}})"
                max-concurrency = 4
                requests-per-minute = {{{RequestsPerMinute}}}
              }
            }
            """);

        var finished = await host.RunAsync(input);

        finished.Status.ShouldBe(BatchStatus.Completed);
        var llm1 = await host.Journal().StageRecordsAsync(finished.BatchId, "llm1");
        var done = llm1.Values.Where(r => r.Status == FileStatus.Done).ToList();
        done.Count.ShouldBeGreaterThan(20, "most sample files pass triage");
        foreach (var record in done)
        {
            var result = JsonDocument.Parse(record.Result!).RootElement;
            result.GetProperty("mentionsTranscript").GetBoolean().ShouldBeTrue("the prompt carries the stt transcript");
            record.History.ShouldNotBeNull().Single().StatusCode.ShouldBe(200);
            record.History![0].Request!.ShouldContain("test-model");
        }
        var chats = server.Calls.Where(c => c.Path == "chat").OrderBy(c => c.At).ToList();
        chats.Count.ShouldBe(done.Count, "one call per file");
        chats.ShouldAllBe(c => c.File!.Contains("Summarise this call in en") || c.File!.Contains("Summarise this call in es"));
        chats.Select(c => c.IdempotencyKey).ShouldBeUnique();

        // 600 a minute is 10 a second with at most a second's worth (10) at once: the calls are spread out.
        var perSecond = RequestsPerMinute / 60;
        var span = chats[^1].At - chats[0].At;
        span.ShouldBeGreaterThan(TimeSpan.FromSeconds((chats.Count - perSecond) / (double)perSecond * 0.8), $"{chats.Count} calls in {span}");
        for (var i = 0; i < chats.Count; i++)
        {
            var inWindow = chats.Skip(i).TakeWhile(c => c.At - chats[i].At < TimeSpan.FromSeconds(1)).Count();
            inWindow.ShouldBeLessThanOrEqualTo(2 * perSecond + 1, "no more than a burst and a second's refill within any second");
        }
    }

    public void Dispose() => _dir.Dispose();
}
