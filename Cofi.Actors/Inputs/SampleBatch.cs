using System.Buffers.Binary;
using System.Globalization;

namespace Cofi.Actors.Inputs;

/// <summary>
/// Writes a folder of small synthetic call recordings, some deliberately broken, for trying out and testing the pipeline.
/// </summary>
public static class SampleBatch
{
    private const int SampleRate = 8000;
    private const int SampleCount = SampleRate / 4;
    private const int DataBytes = SampleCount * sizeof(short);
    private const int HeaderBytes = 44;
    private const int TruncatedHeaderBytes = 20;
    private const double ToneHz = 440;
    private const short ToneAmplitude = 8000;
    private const int MinimumNameDigits = 5;

    private static ReadOnlySpan<byte> NotAudio => "This is a call transcript, not a recording.\n"u8;

    /// <summary>
    /// Writes <paramref name="count"/> files named call-00001.wav, call-00002.wav, … into
    /// <paramref name="directory"/> (created if missing): ~0.25 s tones as 8 kHz mono 16-bit PCM WAV,
    /// except <paramref name="corrupt"/> of them, spread evenly through the batch, which are in turn a
    /// zero-byte file, text that is not audio, and a truncated WAV header.
    /// </summary>
    /// <returns>The names of the corrupt files, in batch order.</returns>
    public static IReadOnlyList<string> Generate(string directory, int count, int corrupt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(corrupt);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(corrupt, count);

        Directory.CreateDirectory(directory);
        var wav = BuildWav();
        var corruptNames = new List<string>(corrupt);
        var nextCorrupt = 0;
        for (var index = 0; index < count; index++)
        {
            var path = Path.Join(directory, FileName(index + 1, count));
            if (nextCorrupt < corrupt && index == CorruptIndex(nextCorrupt, count, corrupt))
            {
                File.WriteAllBytes(path, CorruptContent(nextCorrupt, wav));
                corruptNames.Add(Path.GetFileName(path));
                nextCorrupt++;
            }
            else
            {
                File.WriteAllBytes(path, wav);
            }
        }

        return corruptNames;
    }

    internal static string FileName(int number, int count)
    {
        var digits = Math.Max(MinimumNameDigits, count.ToString(CultureInfo.InvariantCulture).Length);
        return $"call-{number.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}.wav";
    }

    // The middle of the k-th of `corrupt` equal slices of the batch: distinct, in order, and evenly spread.
    private static int CorruptIndex(int k, int count, int corrupt) => (int)((2L * k + 1) * count / (2L * corrupt));

    private static ReadOnlySpan<byte> CorruptContent(int k, byte[] wav) => (k % 3) switch
    {
        0 => [],
        1 => NotAudio,
        _ => wav.AsSpan(0, TruncatedHeaderBytes),
    };

    private static byte[] BuildWav()
    {
        var wav = new byte[HeaderBytes + DataBytes];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], wav.Length - 8);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SampleRate * sizeof(short));
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], sizeof(short));
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], DataBytes);
        for (var i = 0; i < SampleCount; i++)
        {
            var sample = (short)(ToneAmplitude * Math.Sin(2 * Math.PI * ToneHz * i / SampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(span[(HeaderBytes + i * sizeof(short))..], sample);
        }

        return wav;
    }
}
