using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Cofi.Actors.Batches;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Files;
using Cofi.Actors.Inputs;
using Cofi.Actors.Serialization;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Tests.Serialization;

public sealed class CofiSerializerSpecs() : Akka.TestKit.Xunit2.TestKit(CofiConfig.Defaults)
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-23T10:00:00.123456Z");
    private static readonly FileRecord Record = new(4, "llamada ñ 'x'.wav", FileStatus.Failed, null, "bad header", 2, "gpu-3", 17);
    private static readonly StageCounts Counts = new(9, "stt", 10, 1, 2, 0, 0, 13, true);

    public static TheoryData<ICofiMessage> Samples() => new(
        new FileWork(4, "a.wav", "/in/a.wav", ImmutableDictionary<string, string>.Empty.Add("lid", """{"language":"en"}"""),
            new Disposition(FileStatus.Skipped, "triage", "IVR")),
        new StageEvents.OutcomesRecorded(9, "stt", [Record, Record with { FileId = 5, Status = FileStatus.Done, Result = "{}" }], At),
        new StageEvents.StageCompleted(9, "stt", 10, 1, 2, At),
        new StageSnapshot([Record], true),
        new DistributionEvents.FilesScanned(9, "distribution", [new InputFile(0, "a.wav", "/in/a.wav", 1024, AudioFormat.Wav, null), new InputFile(1, "b", "/in/b", 0, null, "empty file (0 bytes)")], At),
        new DistributionEvents.ScanCompleted(9, "distribution", 2, 1, At),
        new DistributionEvents.ScanFailed(9, "distribution", "input not found: /in", At),
        new DistributionSnapshot([new InputFile(0, "a.wav", "/in/a.wav", 1024, AudioFormat.Flac, null)], false, null),
        new BatchEvents.Submitted(9, "/in", At),
        new BatchEvents.Started(9, At),
        new BatchEvents.Finished(9, BatchStatus.Completed, null, [Counts], At),
        new BatchEvents.Paused(9, At),
        new BatchEvents.Resumed(9, At),
        BatchManagerState.Empty.Apply(new BatchEvents.Submitted(9, "/in", At)).Apply(new BatchEvents.Finished(9, BatchStatus.Failed, "no valid input file", [Counts], At)));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Should_round_trip_every_persisted_message(ICofiMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message).ShouldBeOfType<CofiSerializer>();
        var bytes = serializer.ToBinary(message);

        var back = serializer.FromBinary(bytes, serializer.Manifest(message));

        back.ShouldBeOfType(message.GetType());
        serializer.ToBinary(back).ShouldBe(bytes, "nothing is lost on the way back");
    }

    [Fact]
    public void Should_have_a_sample_for_every_message_type()
    {
        var sampled = Samples().Cast<object[]>().Select(row => row[0].GetType()).ToHashSet();

        CofiSerializer.KnownTypes.Where(t => !sampled.Contains(t)).ShouldBeEmpty();
    }

    [Fact]
    public void Should_keep_timestamps_to_the_microsecond()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new BatchEvents.Started(1, At));

        var back = (BatchEvents.Started)serializer.FromBinary(serializer.ToBinary(new BatchEvents.Started(1, At)), "BatchEvents.Started");

        back.At.ShouldBe(At);
    }

    [Fact]
    public void Should_refuse_an_unknown_manifest_clearly()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new BatchEvents.Started(1, At));

        Should.Throw<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "Nope")).Message.ShouldContain("Nope");
    }
}
