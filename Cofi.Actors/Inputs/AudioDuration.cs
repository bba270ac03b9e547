using System.Buffers.Binary;

namespace Cofi.Actors.Inputs;

/// <summary>
/// A recording's length in seconds from the first bytes of its file and its size: exact for WAV (byte rate) and
/// FLAC (STREAMINFO's sample count), an estimate for MP3 from its first frame's bit rate (constant bit rate
/// assumed). Null when the header does not tell (an MP3 behind an ID3 tag, a variable layout).
/// </summary>
public static class AudioDuration
{
    private const int WavHeaderBytes = 44;

    private static readonly int[] Mpeg1Layer3Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    private static readonly int[] Mpeg2Layer3Kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

    public static double? Seconds(ReadOnlySpan<byte> head, long length, AudioFormat format) => format switch
    {
        AudioFormat.Wav => Wav(head, length),
        AudioFormat.Flac => Flac(head),
        AudioFormat.Mp3 => Mp3(head, length),
        _ => null,
    };

    private static double? Wav(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < WavHeaderBytes) return null;
        var byteRate = BinaryPrimitives.ReadUInt32LittleEndian(head[28..32]);
        return byteRate == 0 ? null : (length - WavHeaderBytes) / (double)byteRate;
    }

    private static double? Flac(ReadOnlySpan<byte> head)
    {
        // "fLaC", then the first metadata block's 4-byte header; STREAMINFO (type 0) starts at offset 8.
        if (head.Length < 26 || (head[4] & 0x7F) != 0) return null;
        var sampleRate = (head[18] << 12) | (head[19] << 4) | (head[20] >> 4);
        var samples = ((long)(head[21] & 0x0F) << 32) | ((long)head[22] << 24) | ((long)head[23] << 16) | ((long)head[24] << 8) | head[25];
        return sampleRate == 0 || samples == 0 ? null : samples / (double)sampleRate;
    }

    private static double? Mp3(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length < 4 || head[0] != 0xFF || (head[1] & 0xE0) != 0xE0) return null;
        var version = (head[1] >> 3) & 0x03;
        var layer = (head[1] >> 1) & 0x03;
        var index = head[2] >> 4;
        if (layer != 1 || version == 1 || index is 0 or 15) return null;
        var kbps = (version == 3 ? Mpeg1Layer3Kbps : Mpeg2Layer3Kbps)[index];
        return length * 8 / (kbps * 1000.0);
    }
}
