using System.Buffers.Binary;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

public sealed class SampleBatchSpecs : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cofi-sample-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Should_write_count_files_numbered_from_one_with_five_digits()
    {
        SampleBatch.Generate(root, 12, 0);

        var names = Directory.GetFiles(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        names.Count.ShouldBe(12);
        names[0].ShouldBe("call-00001.wav");
        names[^1].ShouldBe("call-00012.wav");
    }

    [Theory]
    [InlineData(7, 99_999, "call-00007.wav")]
    [InlineData(7, 100_000, "call-000007.wav")]
    [InlineData(100_000, 100_000, "call-100000.wav")]
    [InlineData(42, 1_234_567, "call-0000042.wav")]
    public void Should_widen_names_only_when_the_count_needs_more_than_five_digits(int number, int count, string expected)
    {
        var name = SampleBatch.FileName(number, count);

        name.ShouldBe(expected);
    }

    [Fact]
    public void Should_create_the_directory_when_it_is_missing()
    {
        var nested = Path.Join(root, "a", "b");

        SampleBatch.Generate(nested, 2, 0);

        Directory.GetFiles(nested).Length.ShouldBe(2);
    }

    [Fact]
    public void Should_make_every_file_valid_except_exactly_the_corrupt_ones()
    {
        var corrupt = SampleBatch.Generate(root, 50, 7);

        var files = InputScanner.Scan(root).ToList();
        files.Count.ShouldBe(50);
        files.Where(f => !f.IsValid).Select(f => f.Name).ShouldBe(corrupt);
        files.Where(f => f.IsValid).ShouldAllBe(f => f.Format == AudioFormat.Wav);
        corrupt.Count.ShouldBe(7);
    }

    [Fact]
    public void Should_cycle_through_the_kinds_of_corruption()
    {
        var corrupt = SampleBatch.Generate(root, 30, 6);

        var errors = InputScanner.Scan(root).Where(f => !f.IsValid).Select(f => f.Error).ToList();
        errors.Count.ShouldBe(corrupt.Count);
        errors[0].ShouldBe("empty file (0 bytes)");
        errors[1].ShouldStartWith("not a WAV, MP3 or FLAC file");
        errors[2].ShouldBe("truncated WAV header (20 bytes)");
        errors.Skip(3).ShouldBe(errors.Take(3));
    }

    [Fact]
    public void Should_spread_the_corrupt_files_evenly_through_the_batch()
    {
        var corrupt = SampleBatch.Generate(root, 100, 4);

        corrupt.ShouldBe(["call-00013.wav", "call-00038.wav", "call-00063.wav", "call-00088.wav"]);
    }

    [Fact]
    public void Should_mark_every_file_corrupt_when_asked_to()
    {
        var corrupt = SampleBatch.Generate(root, 5, 5);

        corrupt.Count.ShouldBe(5);
        InputScanner.Scan(root).ShouldAllBe(f => !f.IsValid);
    }

    [Fact]
    public void Should_choose_the_same_corrupt_files_every_time()
    {
        var first = SampleBatch.Generate(Path.Join(root, "one"), 40, 9);

        var second = SampleBatch.Generate(Path.Join(root, "two"), 40, 9);

        second.ShouldBe(first);
    }

    [Fact]
    public void Should_write_a_quarter_second_of_8khz_mono_16_bit_pcm_tone()
    {
        SampleBatch.Generate(root, 1, 0);

        var bytes = File.ReadAllBytes(Path.Join(root, "call-00001.wav"));
        var header = bytes.AsSpan();
        header[..4].SequenceEqual("RIFF"u8).ShouldBeTrue();
        BinaryPrimitives.ReadInt32LittleEndian(header[4..]).ShouldBe(bytes.Length - 8);
        header[8..16].SequenceEqual("WAVEfmt "u8).ShouldBeTrue();
        BinaryPrimitives.ReadInt32LittleEndian(header[16..]).ShouldBe(16);
        BinaryPrimitives.ReadInt16LittleEndian(header[20..]).ShouldBe((short)1);
        BinaryPrimitives.ReadInt16LittleEndian(header[22..]).ShouldBe((short)1);
        BinaryPrimitives.ReadInt32LittleEndian(header[24..]).ShouldBe(8000);
        BinaryPrimitives.ReadInt32LittleEndian(header[28..]).ShouldBe(16000);
        BinaryPrimitives.ReadInt16LittleEndian(header[32..]).ShouldBe((short)2);
        BinaryPrimitives.ReadInt16LittleEndian(header[34..]).ShouldBe((short)16);
        header[36..40].SequenceEqual("data"u8).ShouldBeTrue();
        BinaryPrimitives.ReadInt32LittleEndian(header[40..]).ShouldBe(4000);
        bytes.Length.ShouldBe(44 + 4000);
        MaxAmplitude(header[44..]).ShouldBeGreaterThan(1000);
    }

    [Fact]
    public void Should_return_no_names_when_nothing_is_corrupt()
    {
        var corrupt = SampleBatch.Generate(root, 3, 0);

        corrupt.ShouldBeEmpty();
    }

    [Fact]
    public void Should_refuse_more_corrupt_files_than_files()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SampleBatch.Generate(root, 3, 4));
    }

    private static int MaxAmplitude(ReadOnlySpan<byte> pcm)
    {
        var max = 0;
        for (var i = 0; i + 1 < pcm.Length; i += 2)
        {
            max = Math.Max(max, Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(pcm[i..])));
        }

        return max;
    }
}
