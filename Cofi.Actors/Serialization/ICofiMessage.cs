namespace Cofi.Actors.Serialization;

/// <summary>Marks a Cofi type that is persisted or sent between nodes; all are serialized by <see cref="CofiSerializer"/>.</summary>
public interface ICofiMessage;
