using ActorHttp.Handlers.Json;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorHttp.Handlers.Demo.Carts;

/// <summary>
/// The demo's shopping cart, one event-sourced entity per cart id, sharded across the cluster:
/// <c>GET /carts/{id}</c> answers the cart, <c>POST /carts/{id}</c> with <c>{"sku":"…","quantity":N}</c>
/// adds an item (201 once stored), <c>DELETE /carts/{id}/items/{sku}</c> removes it (204 once stored).
/// </summary>
public sealed class CartEntity : PersistentHttpEntity
{
    /// <summary>Most distinct items a cart holds (409 past it): a client cannot grow one entity without bound.</summary>
    public const int MaxLines = 1000;

    /// <summary>Most units of one item in a cart.</summary>
    public const int MaxQuantity = 10_000;

    public const int MaxSkuLength = 100;

    // A snapshot every so many events: a cart's recovery reads at most this many events after it.
    private const int EventsPerSnapshot = 200;

    private readonly string _id;
    private readonly string _node;
    private readonly SortedDictionary<string, int> _lines = new(StringComparer.Ordinal);

    public CartEntity(string cartId)
    {
        _id = cartId;
        PersistenceId = $"cart-{cartId}";
        var address = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        _node = $"{address.Host}:{address.Port}";
    }

    public override string PersistenceId { get; }

    protected override void OnRequest(RequestContext context)
    {
        var request = context.Request;
        if (_id.Length is 0 or > MaxSkuLength)
        {
            Reply(context, Problem.Response(400, $"A cart id has 1 to {MaxSkuLength} characters."));
            return;
        }

        switch (request.Method)
        {
            case "GET" or "HEAD":
                Reply(context, JsonHandlerActor.Ok(View(), CartJsonContext.Default.CartView));
                break;
            case "POST":
                Add(context);
                break;
            case "DELETE" when request.RouteValues.TryGetValue("sku", out var sku):
                Remove(context, sku);
                break;
            default:
                Reply(context, Problem.Response(405, $"{request.Method} is not allowed here.").WithHeader("Allow", "GET, HEAD, POST"));
                break;
        }
    }

    protected override void ApplyEvent(object @event)
    {
        switch (@event)
        {
            case ItemAdded added:
                _lines[added.Sku] = _lines.GetValueOrDefault(added.Sku) + added.Quantity;
                break;
            case ItemRemoved removed:
                _lines.Remove(removed.Sku);
                break;
        }
    }

    protected override void ApplySnapshot(object snapshot)
    {
        _lines.Clear();
        foreach (var line in ((CartSnapshot)snapshot).Items)
        {
            _lines[line.Sku] = line.Quantity;
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess saved:
                // Events before the snapshot are no longer needed to rebuild the cart.
                DeleteMessages(saved.Metadata.SequenceNr);
                break;
            case SaveSnapshotFailure failed:
                Log.Warning(failed.Cause, "Cart {CartId}: snapshot not saved; recovery replays the events", _id);
                break;
            case DeleteMessagesSuccess or DeleteMessagesFailure:
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    private void Add(RequestContext context)
    {
        if (!JsonHandlerActor.TryReadBody(context.Request, CartJsonContext.Default.CartItemInput, out var input, out var problem))
        {
            Reply(context, problem);
            return;
        }

        if (string.IsNullOrWhiteSpace(input.Sku) || input.Sku.Length > MaxSkuLength)
        {
            Reply(context, Problem.Response(400, $"\"sku\" is required, 1 to {MaxSkuLength} characters."));
            return;
        }

        var quantity = input.Quantity ?? 1;
        var current = _lines.GetValueOrDefault(input.Sku);
        if (quantity is < 1 or > MaxQuantity || current + quantity > MaxQuantity)
        {
            Reply(context, Problem.Response(400, $"\"quantity\" must be 1 to {MaxQuantity}, and a cart holds at most {MaxQuantity} of an item."));
            return;
        }

        if (current == 0 && _lines.Count >= MaxLines)
        {
            Reply(context, Problem.Response(409, $"A cart holds at most {MaxLines} different items."));
            return;
        }

        PersistThenRespond(context, new ItemAdded(input.Sku, quantity), added =>
        {
            SnapshotNowAndThen();
            return Served(JsonHandlerActor.Created($"/carts/{Uri.EscapeDataString(_id)}/items/{Uri.EscapeDataString(added.Sku)}", View(), CartJsonContext.Default.CartView));
        });
    }

    private void Remove(RequestContext context, string sku)
    {
        if (!_lines.ContainsKey(sku))
        {
            Reply(context, Problem.Response(404, $"Cart {ErrorText.Printable(_id)} holds no item {ErrorText.Printable(sku)}."));
            return;
        }

        PersistThenRespond(context, new ItemRemoved(sku), _ =>
        {
            SnapshotNowAndThen();
            return Served(HttpResponse.Empty(204));
        });
    }

    private void Reply(RequestContext context, HttpResponse response) => context.Respond(Served(response));

    /// <summary>Names the node this cart lives on (its cluster address), for the demo's failover tour and tests.</summary>
    private HttpResponse Served(HttpResponse response) => response.WithHeader("X-Cart-Node", _node);

    private void SnapshotNowAndThen()
    {
        if (LastSequenceNr % EventsPerSnapshot == 0)
        {
            SaveSnapshot(new CartSnapshot([.. Lines()]));
        }
    }

    private CartView View() => new(_id, [.. Lines()]);

    private IEnumerable<CartLine> Lines() => _lines.Select(line => new CartLine(line.Key, line.Value));
}
