using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Http;

/// <summary>A file whose calls hang on every machine, against real model services on loopback.</summary>
public sealed class QuarantineSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Should_quarantine_a_file_that_hangs_on_three_machines_and_leave_it_out_of_retry_failed_unless_asked()
    {
        var input = Path.Combine(_dir.Path, "input");
        SampleBatch.Generate(input, 12, 0);
        var hanging = SampleFiles.Name(5);
        await using var server = await FakeModelServer.StartAsync(4);
        server.Hanging[("denoise", hanging)] = true;
        await using var host = await PipelineHost.StartAsync(_dir.File("cofi.db"), ModelServiceFaultSpecs.HttpPipeline(server, dead: null) + """
            cofi.pipeline.stage.denoise { timeout = 300ms, max-attempts = 8 }
            """);

        var finished = await host.RunAsync(input, TimeSpan.FromMinutes(2));

        finished.Status.ShouldBe(BatchStatus.Completed);
        var record = (await host.Journal().StageRecordsAsync(finished.BatchId, "denoise")).Values.Single(r => r.Name == hanging);
        (record.Status, record.Quarantined).ShouldBe((FileStatus.Failed, true));
        record.History!.Select(h => h.Machine).Distinct().Count().ShouldBe(3, "quarantined after hanging on 3 different machines, not 8 attempts");
        record.Reason!.ShouldStartWith("quarantined: timed out or dropped the connection on 3 machines");
        finished.Stages.Single(s => s.Stage == "denoise").ShouldSatisfyAllConditions(s => s.Done.ShouldBe(11), s => s.Failed.ShouldBe(1));

        var callsBefore = HangingCalls(server, hanging);
        await host.Manager.Ask<BatchReplies.RetryFailedAccepted>(new BatchCommands.RetryFailed(finished.BatchId), TimeSpan.FromSeconds(30));
        (await host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(finished.BatchId), TimeSpan.FromMinutes(2))).Status.ShouldBe(BatchStatus.Completed);
        HangingCalls(server, hanging).ShouldBe(callsBefore, "retry-failed leaves quarantined files alone");

        await host.Manager.Ask<BatchReplies.RetryFailedAccepted>(new BatchCommands.RetryFailed(finished.BatchId, IncludeQuarantined: true), TimeSpan.FromSeconds(30));
        (await host.Manager.Ask<BatchFinished>(new BatchCommands.AwaitCompletion(finished.BatchId), TimeSpan.FromMinutes(2))).Status.ShouldBe(BatchStatus.Completed);
        HangingCalls(server, hanging).ShouldBe(callsBefore + 3, "taken back, it hung on 3 more machines and was quarantined again");
    }

    private static int HangingCalls(FakeModelServer server, string file) => server.Calls.Count(c => c.Path == "denoise" && c.File == file);

    public void Dispose() => _dir.Dispose();
}
