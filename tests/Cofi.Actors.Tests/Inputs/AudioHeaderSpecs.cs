using System.Text;
using Cofi.Actors.Inputs;

namespace Cofi.Actors.Tests.Inputs;

public sealed class AudioHeaderSpecs
{
    [Fact]
    public void Should_accept_a_wav_with_a_full_header()
    {
        var head = WavHeader();

        var (format, error) = AudioHeader.Probe(head, 4044);

        format.ShouldBe(AudioFormat.Wav);
        error.ShouldBeNull();
    }

    [Fact]
    public void Should_accept_a_wav_of_exactly_44_bytes()
    {
        var head = WavHeader();

        var (format, error) = AudioHeader.Probe(head, 44);

        format.ShouldBe(AudioFormat.Wav);
        error.ShouldBeNull();
    }

    [Theory]
    [InlineData(43)]
    [InlineData(20)]
    [InlineData(12)]
    public void Should_report_a_wav_shorter_than_its_header_as_truncated(int length)
    {
        var head = WavHeader().AsSpan(0, length);

        var (format, error) = AudioHeader.Probe(head, length);

        format.ShouldBeNull();
        error.ShouldBe($"truncated WAV header ({length} bytes)");
    }

    [Fact]
    public void Should_report_a_riff_start_cut_off_before_its_form_type_as_truncated()
    {
        var head = "RIFF\x10\0"u8.ToArray();

        var (format, error) = AudioHeader.Probe(head, head.Length);

        format.ShouldBeNull();
        error.ShouldBe("truncated WAV header (6 bytes)");
    }

    [Fact]
    public void Should_report_a_wav_whose_first_chunk_is_not_fmt()
    {
        var head = WavHeader();
        "LIST"u8.CopyTo(head.AsSpan(12));

        var (format, error) = AudioHeader.Probe(head, 4044);

        format.ShouldBeNull();
        error.ShouldBe("WAV without fmt chunk");
    }

    [Fact]
    public void Should_report_a_riff_file_that_is_not_wave_as_not_audio()
    {
        var head = WavHeader();
        "AVI "u8.CopyTo(head.AsSpan(8));

        var (format, error) = AudioHeader.Probe(head, 4044);

        format.ShouldBeNull();
        error.ShouldBe("not a WAV, MP3 or FLAC file (starts with 52 49 46 46)");
    }

    [Fact]
    public void Should_accept_an_mp3_with_an_id3_tag()
    {
        var head = "ID3\x04\0\0\0\0\0\0"u8;

        var (format, error) = AudioHeader.Probe(head, 5000);

        format.ShouldBe(AudioFormat.Mp3);
        error.ShouldBeNull();
    }

    [Theory]
    [InlineData(0xFB)]
    [InlineData(0xF3)]
    [InlineData(0xE3)]
    public void Should_accept_an_mp3_starting_with_a_frame_sync(byte second)
    {
        byte[] head = [0xFF, second, 0x90, 0x64];

        var (format, error) = AudioHeader.Probe(head, 5000);

        format.ShouldBe(AudioFormat.Mp3);
        error.ShouldBeNull();
    }

    [Fact]
    public void Should_report_ff_without_the_frame_sync_bits_as_not_audio()
    {
        byte[] head = [0xFF, 0xD8, 0xFF, 0xE0];

        var (format, error) = AudioHeader.Probe(head, 5000);

        format.ShouldBeNull();
        error.ShouldBe("not a WAV, MP3 or FLAC file (starts with ff d8 ff e0)");
    }

    [Fact]
    public void Should_accept_flac()
    {
        var head = "fLaC\0\0\0\x22"u8;

        var (format, error) = AudioHeader.Probe(head, 5000);

        format.ShouldBe(AudioFormat.Flac);
        error.ShouldBeNull();
    }

    [Fact]
    public void Should_report_a_zero_length_file_as_empty()
    {
        var (format, error) = AudioHeader.Probe([], 0);

        format.ShouldBeNull();
        error.ShouldBe("empty file (0 bytes)");
    }

    [Fact]
    public void Should_report_text_as_not_audio_showing_its_first_four_bytes()
    {
        var head = Encoding.UTF8.GetBytes("<html><body>Not found</body></html>");

        var (format, error) = AudioHeader.Probe(head, head.Length);

        format.ShouldBeNull();
        error.ShouldBe("not a WAV, MP3 or FLAC file (starts with 3c 68 74 6d)");
    }

    [Fact]
    public void Should_show_only_the_bytes_there_are_for_a_tiny_non_audio_file()
    {
        byte[] head = [0x6f, 0x6b];

        var (format, error) = AudioHeader.Probe(head, 2);

        format.ShouldBeNull();
        error.ShouldBe("not a WAV, MP3 or FLAC file (starts with 6f 6b)");
    }

    [Fact]
    public void Should_judge_only_the_bytes_within_the_given_length()
    {
        var head = WavHeader();

        var (format, error) = AudioHeader.Probe(head, 30);

        format.ShouldBeNull();
        error.ShouldBe("truncated WAV header (30 bytes)");
    }

    private static byte[] WavHeader()
    {
        var head = new byte[64];
        "RIFF"u8.CopyTo(head);
        BitConverter.TryWriteBytes(head.AsSpan(4), 4036);
        "WAVEfmt "u8.CopyTo(head.AsSpan(8));
        BitConverter.TryWriteBytes(head.AsSpan(16), 16);
        "data"u8.CopyTo(head.AsSpan(36));
        return head;
    }
}
