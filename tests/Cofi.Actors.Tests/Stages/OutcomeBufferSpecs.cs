using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Stages;

/// <summary>Groups of records for the journal: split at the size cap, in the order the files settled.</summary>
public sealed class OutcomeBufferSpecs
{
    private static readonly string MiB = new('x', 1024 * 1024);

    [Fact]
    public void Should_split_a_group_of_large_results_at_the_size_cap_keeping_their_order()
    {
        var buffer = new OutcomeBuffer();
        foreach (var id in Enumerable.Range(1, 5)) buffer.Stage(Record(id, MiB)).ShouldBeTrue();

        var groups = new List<IReadOnlyList<FileRecord>>();
        while (buffer.Staged > 0) groups.Add(buffer.TakeGroup(3 * 1024 * 1024));

        groups.Select(g => g.Select(r => r.FileId).ToArray()).ShouldBe([[1, 2], [3, 4], [5]]);
        groups.ShouldAllBe(g => g.Sum(OutcomeBuffer.SizeOf) <= 3 * 1024 * 1024);
        buffer.IsPending(5).ShouldBeTrue("pending until stored");
    }

    [Fact]
    public void Should_take_a_record_larger_than_the_cap_alone_and_small_ones_all_together()
    {
        var buffer = new OutcomeBuffer();
        buffer.Stage(Record(1, MiB + MiB));
        foreach (var id in Enumerable.Range(2, 500)) buffer.Stage(Record(id, """{"snrDb":18.5}"""));

        buffer.TakeGroup(1024 * 1024).Select(r => r.FileId).ShouldBe([1]);
        buffer.TakeGroup(1024 * 1024).Count.ShouldBe(500);
    }

    [Fact]
    public void Should_count_the_attempts_logged_bodies()
    {
        var plain = Record(1, "{}");
        var withBodies = plain with { History = [new AttemptRecord(1, "gpu-1", AttemptOutcome.Done, null, 40, DateTimeOffset.UnixEpoch, 200, MiB, MiB)] };

        (OutcomeBuffer.SizeOf(withBodies) - OutcomeBuffer.SizeOf(plain)).ShouldBeGreaterThan(2 * 1024 * 1024);
    }

    private static FileRecord Record(int id, string result) => new(id, $"call-{id:00000}.wav", FileStatus.Done, result, null, 1, "gpu-1", 40);
}
