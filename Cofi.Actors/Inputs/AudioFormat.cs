namespace Cofi.Actors.Inputs;

public enum AudioFormat
{
    Wav,
    Mp3,
    Flac,
}
