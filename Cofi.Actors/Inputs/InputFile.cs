namespace Cofi.Actors.Inputs;

/// <summary>
/// One entry of a batch's input. <see cref="FileId"/> is its 0-based position in the stable scan order;
/// <see cref="Error"/> is the human-readable reason the file cannot be processed, or null when it can.
/// </summary>
public sealed record InputFile(int FileId, string Name, string Path, long SizeBytes, AudioFormat? Format, string? Error, double? AudioSeconds = null)
{
    public bool IsValid => Error is null;
}
