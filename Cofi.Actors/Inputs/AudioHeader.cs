namespace Cofi.Actors.Inputs;

/// <summary>
/// Recognises WAV, MP3 and FLAC files by their leading bytes, so that files which are not audio at all
/// are rejected with a clear reason before a model stage spends time on them.
/// </summary>
public static class AudioHeader
{
    /// <summary>The most bytes <see cref="Probe"/> ever looks at; callers need not read more.</summary>
    internal const int BytesNeeded = 64;

    private const int WavHeaderBytes = 44;

    /// <summary>
    /// Decides from the first bytes of a file (<paramref name="head"/>, up to <see cref="BytesNeeded"/>)
    /// and its total <paramref name="length"/> whether it is a usable WAV, MP3 or FLAC file.
    /// Exactly one of the returned values is non-null.
    /// </summary>
    public static (AudioFormat? Format, string? Error) Probe(ReadOnlySpan<byte> head, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return (null, "empty file (0 bytes)");
        }

        if (head.IsEmpty)
        {
            throw new ArgumentException("The first bytes of a non-empty file are needed.", nameof(head));
        }

        if (head.Length > length)
        {
            head = head[..(int)length];
        }

        if (head.StartsWith("RIFF"u8))
        {
            return ProbeWav(head, length);
        }

        if (head.StartsWith("fLaC"u8))
        {
            return (AudioFormat.Flac, null);
        }

        if (head.StartsWith("ID3"u8) || IsMpegFrameSync(head))
        {
            return (AudioFormat.Mp3, null);
        }

        return NotAudio(head);
    }

    private static (AudioFormat? Format, string? Error) ProbeWav(ReadOnlySpan<byte> head, long length)
    {
        if (length < 12 || head.Length < 12)
        {
            return (null, Truncated(length));
        }

        if (!head[8..12].SequenceEqual("WAVE"u8))
        {
            return NotAudio(head);
        }

        // Only the canonical layout, with the fmt chunk first, is accepted; a header cut off
        // before offset 16 is reported as truncated instead.
        if (head.Length >= 16 && !head[12..16].SequenceEqual("fmt "u8))
        {
            return (null, "WAV without fmt chunk");
        }

        return length < WavHeaderBytes ? (null, Truncated(length)) : (AudioFormat.Wav, null);
    }

    // An MPEG audio frame header begins with 11 set bits; ID3-less MP3 files start straight with one.
    private static bool IsMpegFrameSync(ReadOnlySpan<byte> head) =>
        head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0;

    private static string Truncated(long length) => $"truncated WAV header ({length} bytes)";

    private static (AudioFormat? Format, string? Error) NotAudio(ReadOnlySpan<byte> head)
    {
        var shown = head[..Math.Min(4, head.Length)];
        return (null, $"not a WAV, MP3 or FLAC file (starts with {Hex(shown)})");
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        Span<char> text = stackalloc char[bytes.Length * 3 - 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                text[i * 3 - 1] = ' ';
            }

            bytes[i].TryFormat(text[(i * 3)..], out _, "x2");
        }

        return new string(text);
    }
}
