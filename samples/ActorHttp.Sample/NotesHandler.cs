using System.Text.Json.Serialization;
using ActorHttp.Handlers;
using ActorHttp.Handlers.Json;

public sealed class NotesHandler : JsonHandlerActor
{
    private readonly List<Note> _notes = [];   // state lives in the actor: no lock

    protected override void OnRequest(RequestContext context)
    {
        if (context.Request.Method == "GET")
        {
            context.Respond(Ok(_notes, NotesJson.Default.ListNote));
        }
        else if (!TryReadBody(context.Request, NotesJson.Default.Note, out var note, out var problem))
        {
            context.Respond(problem);
        }
        else
        {
            _notes.Add(note);
            context.Respond(Created($"/notes/{_notes.Count}", note, NotesJson.Default.Note));
        }
    }
}

public sealed record Note(string Title, string Text);

[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(List<Note>))]
public sealed partial class NotesJson : JsonSerializerContext;
