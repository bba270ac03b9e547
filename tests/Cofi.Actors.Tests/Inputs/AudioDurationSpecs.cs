using System.Buffers.Binary;
using System.Text;
using Cofi.Actors.Inputs;
using Cofi.Actors.Tests.Support;

namespace Cofi.Actors.Tests.Inputs;

public sealed class AudioDurationSpecs
{
    [Fact]
    public void Should_read_a_wavs_length_from_its_byte_rate()
    {
        var head = new byte[44];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(head, 0);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(head, 8);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(28), 16_000);

        AudioDuration.Seconds(head, 44 + 32_000, AudioFormat.Wav).ShouldBe(2.0);
    }

    [Fact]
    public void Should_read_a_flacs_length_from_its_stream_info()
    {
        byte[] head = [.. "fLaC"u8, 0x80, 0x00, 0x00, 0x22, 0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0,
            0x0A, 0xC4, 0x42, 0xF0, 0x00, 0x06, 0xBA, 0xA8, .. new byte[16]];

        AudioDuration.Seconds(head, 900_000, AudioFormat.Flac).ShouldBe(10.0);
    }

    [Fact]
    public void Should_estimate_an_mp3s_length_from_its_first_frames_bit_rate()
    {
        byte[] head = [0xFF, 0xFB, 0x90, 0x64, .. new byte[60]];

        AudioDuration.Seconds(head, 1_600_000, AudioFormat.Mp3).ShouldBe(100.0);
    }

    [Fact]
    public void Should_not_guess_the_length_of_an_mp3_behind_an_id3_tag()
    {
        byte[] head = [.. "ID3"u8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, .. new byte[54]];

        AudioDuration.Seconds(head, 1_600_000, AudioFormat.Mp3).ShouldBeNull();
    }

    [Fact]
    public void Should_give_each_scanned_file_its_length()
    {
        using var dir = new TempDirectory();
        SampleBatch.Generate(dir.Path, 1, 0);
        var path = Directory.GetFiles(dir.Path).Single();

        var file = FileInspector.Inspect(0, Path.GetFileName(path), path);

        file.AudioSeconds.ShouldBe(0.25, "the sample files are a quarter of a second at 8 kHz");
    }
}
