namespace Cofi.Actors.Persistence;

/// <summary>
/// Published on the event stream by a persistent actor inside its persist callback: <see cref="Event"/> is stored
/// in the journal as <see cref="SequenceNr"/> of <see cref="PersistenceId"/>. The EventWriter projects it into the
/// read model; anything it misses it reads back from the journal.
/// </summary>
public sealed record JournalRecorded(string PersistenceId, long SequenceNr, object Event);
