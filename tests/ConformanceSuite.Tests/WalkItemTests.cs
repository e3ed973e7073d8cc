using System.Text.Json;

namespace ConformanceSuite.Tests;

/// <summary>
/// What a walk keeps of an item: the text at each pointer of its projection, as read, and a hash of each top-level
/// field; the id and the values many items share (the schema's enums) are held once for the whole walk.
/// </summary>
[TestFixture]
public sealed class WalkItemTests
{
    private static JsonObject Item(string id, string status, string? channel) =>
        new() { ["id"] = id, ["status"] = status, ["channel"] = new JsonObject { ["type"] = channel }, ["count"] = 3 };

    /// <summary>An item as a walk's page gives it: an element of the parsed page.</summary>
    private static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement;

    [Test]
    public void The_kept_texts_are_as_read_and_the_id_and_enum_values_are_held_once()
    {
        var projection = new WalkProjection(["/id", "/status", "/channel/type", "/missing"], ["open", "closed"]);
        // Each item is parsed on its own, as a page's are: equal texts are different strings until the projection shares them.
        var first = Element(Item("s-1", "open", "web").ToJsonString());
        var second = Element(Item("s-2", "open", null).ToJsonString());
        var odd = Element(Item("s-3", "archived", "web").ToJsonString());

        var a = projection.Keep(first, "s-1", 1);
        var b = projection.Keep(second, "s-2", 1);
        var c = projection.Keep(odd, "s-3", 2);

        a.Text("/status").Should().Be("open").And.BeSameAs(b.Text("/status"), "a value of the shared set is held once");
        a.Text("/id").Should().BeSameAs(a.Id, "the id is held once per item");
        c.Text("/status").Should().Be("archived", "a value outside the shared set is kept as read");
        a.Text("/channel/type").Should().Be("web");
        c.Text("/channel/type").Should().Be("web").And.NotBeSameAs(a.Text("/channel/type"), "only the shared set is shared");
        b.Text("/channel/type").Should().BeNull("a JSON null has no text");
        a.Text("/missing").Should().BeNull();
        c.Page.Should().Be(2);
        a.Fields.Select(f => f.Name).Should().Equal(new[] { "id", "status", "channel", "count" }.Select(WalkItem.TextHash));
        a.TryField("channel", out var channel).Should().BeTrue();
        channel.Should().Be(WalkItem.HashOf(new JsonObject { ["type"] = "web" }));
        a.TryField("Channel", out _).Should().BeFalse("names are compared exactly");
        a.FieldsNotKept.Should().Be(0);

        var plain = new WalkProjection(["/status"]);
        plain.Keep(first, "s-1", 1).Text("/status").Should().Be("open").And.NotBeSameAs(plain.Keep(second, "s-2", 1).Text("/status"), "with no shared values, nothing is shared");
    }

    [Test]
    public void A_walk_of_a_contract_shares_the_enum_values_its_item_schema_declares()
    {
        var contract = new Contracts.ContractLoader(Harness.Layout).Load("opencx-chat-sessions");
        var projection = WalkProjection.For(contract, contract.Endpoint("list-sessions"));
        var id = Guid.NewGuid().ToString();

        var one = projection.Keep(Element($$"""{"id":"{{id}}","status":"closed_resolved","ai_closure_type":"handed_off"}"""), id, 1);
        var two = projection.Keep(Element("""{"id":"x","status":"closed_resolved","ai_closure_type":"handed_off"}"""), "x", 1);

        one.Text("/status").Should().Be("closed_resolved").And.BeSameAs(two.Text("/status"));
        // Not a filter's field: kept only because the item schema declares it an enum.
        one.Text("/ai_closure_type").Should().Be("handed_off").And.BeSameAs(two.Text("/ai_closure_type"));
        one.Text("/id").Should().BeSameAs(one.Id);
    }

    [Test]
    public void Each_item_keeps_its_own_field_names_and_hashes_whatever_layout_came_before_it()
    {
        var projection = new WalkProjection(["/id"]);
        JsonObject Parsed(string json) => JsonNode.Parse(json)!.AsObject();
        (ulong Name, ulong Value)[] Expected(JsonObject item) => [.. item.Select(kv => (WalkItem.TextHash(kv.Key), WalkItem.HashOf(kv.Value)))];

        // Alike, then another order of the same names, fewer, more, a renamed one, and back to the first layout.
        string[] items =
        [
            """{"id":"1","a":1,"b":"x"}""",
            """{"id":"2","a":2,"b":"y"}""",
            """{"id":"3","b":"y","a":2}""",
            """{"id":"4","a":2}""",
            """{"id":"5","a":2,"b":"y","c":null}""",
            """{"id":"6","a":2,"B":"y"}""",
            """{"id":"7","a":1,"b":"x"}""",
            """{}""",
        ];
        // Kept from the page's elements, compared with hashes of the same items as nodes (as a fetched item is hashed).
        var kept = items.Select((json, i) => (Item: Parsed(json), Kept: projection.Keep(Element(json), $"{i}", 1))).ToList();

        foreach (var (item, walkItem) in kept)
        {
            walkItem.Fields.Should().Equal(Expected(item), $"{item.ToJsonString()} is kept as it is");
        }

        kept[0].Kept.Fields.Skip(1).Should().Equal(kept[6].Kept.Fields.Skip(1), "equal fields, laid out alike, are kept equal");
        kept[1].Kept.Fields.Should().NotEqual(kept[2].Kept.Fields, "the order of the fields is part of what is kept");
    }

    [Test]
    public void An_item_with_more_members_than_the_bound_keeps_the_first_ones_and_counts_the_rest()
    {
        // A provider's items may have thousands of members, each named anew: what a walk keeps of one is bounded.
        var projection = new WalkProjection(["/id", "/m70"]);
        var members = string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"m{i}\":{i}"));
        var item = projection.Keep(Element($$"""{"id":"x",{{members}}}"""), "x", 1);

        item.Fields.Should().HaveCount(WalkItem.MaxFields);
        item.FieldsNotKept.Should().Be(2001 - WalkItem.MaxFields);
        item.Fields[^1].Should().Be((WalkItem.TextHash($"m{WalkItem.MaxFields - 2}"), WalkItem.HashOf(Element($"{WalkItem.MaxFields - 2}"))));
        item.TryField($"m{WalkItem.MaxFields - 2}", out _).Should().BeTrue();
        item.TryField($"m{WalkItem.MaxFields - 1}", out _).Should().BeFalse("past the bound, members are counted, not kept");
        item.Text("/m70").Should().Be("70", "the projection's fields are kept wherever they are");

        var exact = projection.Keep(Element($$"""{"id":"y",{{string.Join(",", Enumerable.Range(0, WalkItem.MaxFields - 1).Select(i => $"\"m{i}\":{i}"))}}}"""), "y", 1);
        (exact.Fields.Count, exact.FieldsNotKept).Should().Be((WalkItem.MaxFields, 0));
    }

    /// <summary>Values whose JSON text can be written in more than one way, and values that differ only a little.</summary>
    private static readonly string[] Tricky =
    [
        "\"plain\"", "\"\\u002B1 555\"", "\"+1 555\"", "\"caf\\u00e9 \\/ \\\"q\\\" \\n\"", "\"café / \\\"q\\\" \\n\"", "\"<b>&amp;</b>\"",
        "0", "1", "1.0", "1e3", "-0", "12345678901234567890", "true", "false", "null",
        "[]", "[1,\"a\",null,[2]]", "[2,1]", "{}", "{\"a\":1,\"b\":{\"y\":2,\"x\":[1]}}", "{\"b\":{\"x\":[1],\"y\":2},\"a\":1}", "{\"a\":1,\"b\":{\"x\":[1],\"y\":3}}",
        "{\"\\u0061\":1}", "{\"B\":1,\"a\":2,\"_\":3}",
        // Past index 23: the same text as another kind, members that trade values, and containers within containers.
        "\"1\"", "\"true\"", "\"null\"", "\"\"", "[1,2]", "[[]]", "[{}]", "[null]", "{\"a\":2,\"b\":1}", "{\"a\":1,\"b\":2}", "{\"a\":\"1\"}",
        "{\"\":1}", "{\"a\":{}}", "{\"a\":[]}", "[\"a\",\"b\"]", "[\"ab\"]", "{\"ab\":1}", "{\"a\":1,\"b\":1}",
        // Arrays past the element hashes held on the stack.
        $"[{string.Join(",", Enumerable.Range(0, 100))}]", $"[{string.Join(",", Enumerable.Range(0, 100).Reverse())}]",
    ];

    [Test]
    public void A_lone_surrogate_sent_escaped_is_hashed_as_sent_and_apart_from_any_other_text()
    {
        // No UTF-8 carries a lone surrogate, so only an escape can send one, and the parser's own reading of it throws:
        // a provider's item with one is still kept, and tells apart from others (the escape's letters' case aside).
        string[] lone = ["\"\\ud800\"", "\"\\udc00\"", "\"x\\ud800\"", "\"\\ud800x\"", "{\"\\ud800\":1}", "{\"\\udc00\":1}", "[\"\\ud800\"]"];
        string[] others = ["\"\"", "\"x\"", "{\"\":1}", "[\"\"]", "\"\\ud83d\\ude00\"", "\"😀\""];
        var hashes = lone.Concat(others).Select(j => WalkItem.HashOf(Element(j))).ToList();

        hashes.Take(lone.Length + 5).Should().OnlyHaveUniqueItems();
        hashes[^1].Should().Be(hashes[^2], "a pair of surrogates is the character it spells, escaped or not");
        WalkItem.HashOf(Element("\"\\uD800\"")).Should().Be(hashes[0], "an escape's hex digits are read, whatever their case");
        new WalkProjection(["/id"]).Keep(Element("""{"id":"a","n":"\ud800"}"""), "a", 1).TryField("n", out var kept).Should().BeTrue();
        kept.Should().Be(hashes[0]);
        var named = new WalkProjection(["/id"]).Keep(Element("""{"id":"a","\ud800":1}"""), "a", 1);
        named.Fields.Should().HaveCount(2, "a member named with one is kept too");
        named.TryField("\ud800", out _).Should().BeTrue();
    }

    [Test]
    public void An_element_and_a_node_of_the_same_JSON_have_the_same_hash_and_text()
    {
        // The walk keeps hashes and texts read from its pages' elements; a fetched item is compared as a node.
        foreach (var json in Tricky)
        {
            var element = Element(json);
            var node = JsonNode.Parse(json);
            WalkItem.HashOf(element).Should().Be(WalkItem.HashOf(node), $"{json} hashes alike either way");
            JsonPointer.Text(Element($$"""{"v":{{json}}}"""), JsonPointer.Tokens("/v")).Should().Be(JsonPointer.Text(JsonNode.Parse($$"""{"v":{{json}}}"""), "/v"), $"{json} reads alike either way");
        }

        // Equal JSON, written otherwise, hashes alike; different JSON does not (escapes, member order, and numbers as written).
        var hashes = Tricky.Select(j => WalkItem.HashOf(Element(j))).ToList();
        hashes[1].Should().Be(hashes[2]);
        hashes[3].Should().Be(hashes[4]);
        hashes[19].Should().Be(hashes[20], "member order does not count");
        hashes[22].Should().Be(WalkItem.HashOf(Element("""{"a":1}""")));
        hashes.Where((_, i) => i is not (2 or 4 or 20)).Should().OnlyHaveUniqueItems("anything else differs: 1 is not 1.0, nor [1,2] [2,1]");
    }

    [Test]
    public void A_member_s_children_the_projection_leaves_out_are_not_in_its_hash_and_nothing_else_is_left_out()
    {
        // A body of one listed item may leave out contact.email: the list's and the fetch's hashes of contact both leave it out.
        var projection = new WalkProjection(["/id"], membersLeftOut: [("contact", "email")]);
        var kept = projection.Keep(Element("""{"id":"x","contact":{"name":"Ann","email":"a@b.example","inner":{"email":1}},"other":{"email":"a@b.example"}}"""), "x", 1);

        kept.TryField("contact", out var contact).Should().BeTrue();
        projection.HashOfMember("contact", JsonNode.Parse("""{"inner":{"email":1},"name":"Ann"}""")).Should().Be(contact, "only email is left out, wherever it was");
        projection.HashOfMember("contact", JsonNode.Parse("""{"name":"Ann","email":"other@b.example","inner":{"email":1}}""")).Should().Be(contact);
        projection.HashOfMember("contact", JsonNode.Parse("""{"name":"Bob","inner":{"email":1}}""")).Should().NotBe(contact, "the rest is compared");
        projection.HashOfMember("contact", JsonNode.Parse("""{"name":"Ann","inner":{"email":2}}""")).Should().NotBe(contact, "a child's own email is not left out");
        projection.HashOfMember("contact", JsonNode.Parse("""{"name":"Ann"}""")).Should().NotBe(contact);

        kept.TryField("other", out var other).Should().BeTrue();
        projection.HashOfMember("other", JsonNode.Parse("{}")).Should().NotBe(other, "another member's email is not left out");
        projection.HashOfMember("other", JsonNode.Parse("""{"email":"a@b.example"}""")).Should().Be(other);
    }

    [Test]
    public void Each_kept_pointer_reads_what_a_pointer_reads_of_the_whole_item()
    {
        // Kept in one pass over the item's members: the same texts as each pointer read on its own.
        var json = $$"""{"id":"x","\u0073tatus":"open","a":{"b/c":[10,{"d~e":"y"}],"n":null},"list":[1,"two",{"k":true}],"num":1.50,"e":"caf\u00e9",{{string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"m{i}\":{i}"))}}}""";
        string[] pointers = ["", "/id", "/status", "/a", "/a/b~1c", "/a/b~1c/1/d~0e", "/a/n", "/a/missing", "/list/1", "/list/2", "/list/2/k", "/list/9", "/num", "/e", "/m99", "/missing", "/id/0"];
        var item = new WalkProjection(pointers).Keep(Element(json), "x", 1);

        foreach (var pointer in pointers)
        {
            item.Text(pointer).Should().Be(JsonPointer.Text(Element(json), JsonPointer.Tokens(pointer)), pointer);
        }

        item.Text("/status").Should().Be("open", "a name sent with escapes is the name it spells");
        item.Text("/m99").Should().Be("99", "past the members whose hashes are kept, a pointer is still read");
    }

    [Test]
    public void A_pointer_reads_an_element_as_it_reads_a_node()
    {
        var json = """{"a":{"b/c":[10,{"d~e":"x"}],"n":null},"s":"t"}""";
        foreach (var pointer in new[] { "", "/a", "/a/b~1c", "/a/b~1c/0", "/a/b~1c/1/d~0e", "/a/b~1c/2", "/a/n", "/a/missing", "/s", "/s/0", "/a/b~1c/x", "/a/b~1c/01" })
        {
            JsonPointer.Text(Element(json), JsonPointer.Tokens(pointer)).Should().Be(JsonPointer.Text(JsonNode.Parse(json), pointer), pointer);
            JsonPointer.TryRead(Element(json), JsonPointer.Tokens(pointer), out _).Should().Be(JsonPointer.Read(JsonNode.Parse(json), pointer, out var found) is not null || found, pointer);
        }
    }

    [Test]
    public void A_page_that_names_a_member_twice_is_not_a_usable_page()
    {
        var spec = new ContractLoader(Harness.Layout).Load("opencx-chat-sessions").Endpoint("list-sessions").Pagination!;
        Http.HttpExchange Page(string body) => new() { Method = "GET", Url = "http://provider.test/chat/sessions", Status = 200, Body = System.Text.Encoding.UTF8.GetBytes(body) };

        ListWalk.Parse(Page("""{"items":[{"id":"a"},{"id":"b"}],"next":"c2"}"""), spec, 200, out var none).Should().NotBeNull();
        none.Should().BeNull();
        foreach (var twice in new[] { """{"items":[{"id":"a","id":"b"}],"next":null}""", """{"items":[],"items":[{"id":"a"}],"next":null}""", """{"items":[{"id":"a","c":{"x":1,"x":2}}],"next":null}""" })
        {
            ListWalk.Parse(Page(twice), spec, 200, out var problem).Should().BeNull(twice);
            problem.Should().BeOfType<NotJson>().Which.Detail.Should().Contain("Duplicate property", twice);
        }

        // The parser's first sentence, whole: a dot in a member's name does not cut it, and the position is left out.
        ListWalk.Parse(Page("""{"items":[{"id":"a","v.1":1,"v.1":2}],"next":null}"""), spec, 200, out var named);
        named.Should().Be(new NotJson("Duplicate property 'v.1' encountered during deserialization"));
        ListWalk.Parse(Page("""{"items":[}"""), spec, 200, out var broken);
        broken.Should().BeOfType<NotJson>().Which.Detail.Should().Be("'}' is an invalid start of a value");

        // The same reason for a body that a check read whole (one call, a fetch by id): none when it is JSON.
        ProviderJson.Reason("""{"a":1,"a":2}"""u8.ToArray()).Should().Be("Duplicate property 'a' encountered during deserialization");
        ProviderJson.Reason("<html>"u8.ToArray()).Should().Be("'<' is an invalid start of a value");
        ProviderJson.Reason((byte[]?)null).Should().StartWith("The input does not contain any JSON tokens");
        ProviderJson.Reason("""{"a":[1,{"b":null}]}"""u8.ToArray()).Should().BeNull();

        // The parser quotes the token it stopped at, whatever its length: a reason is cut, so a report does not carry the body.
        var garbage = ProviderJson.Reason(System.Text.Encoding.UTF8.GetBytes("file_url=" + new string('y', 100_000)))!;
        garbage.Should().HaveLength(ProviderJson.MaxReasonChars + 1).And.StartWith("'file_url=yyy").And.EndWith("y…");
        ProviderJson.Reason(System.Text.Encoding.UTF8.GetBytes("file_url=" + new string('y', ProviderJson.MaxReasonChars - 38)))
            .Should().HaveLength(ProviderJson.MaxReasonChars).And.EndWith("' is an invalid JSON literal", "a reason that fits is whole");

        // A byte order mark, which the parser calls a stray byte, is named as what it is; a stray byte alone is not.
        const string Mark = "it starts with a UTF-8 byte order mark (EF BB BF), which RFC 8259 forbids a sender of JSON to add";
        ProviderJson.Reason([0xEF, 0xBB, 0xBF, .. """{"a":1}"""u8]).Should().Be(Mark);
        ProviderJson.Reason([0xEF, 0xBB, .. """{"a":1}"""u8]).Should().Be("'0xEF' is an invalid start of a value");
        ListWalk.Parse(Page(System.Text.Encoding.UTF8.GetString([0xEF, 0xBB, 0xBF]) + """{"items":[],"next":null}"""), spec, 200, out var marked);
        marked.Should().Be(new NotJson(Mark));
    }

    [Test]
    public void A_page_gives_its_items_ids_next_cursor_and_total_or_the_reason_it_is_not_a_page()
    {
        var loader = new ContractLoader(Harness.Layout);
        var cursor = loader.Load("opencx-chat-sessions").Endpoint("list-sessions").Pagination!;
        var offset = loader.Load("chat-session-list").Endpoint("list-sessions").Pagination!;
        Http.HttpExchange Page(string body, int status = 200, string? error = null) =>
            new() { Method = "GET", Url = "http://provider.test/list", Status = status, Error = error, Body = System.Text.Encoding.UTF8.GetBytes(body) };

        // Items without an id count, under the id ""; entries that are not objects do not (the schema check names them).
        var page = ListWalk.Parse(Page("""{"items":[{"x":1},{"id":"b"},7,null,{"id":"c"}],"next":"n2"}"""), cursor, 200, out var problem)!;
        problem.Should().BeNull();
        (page.Count, page.FirstId, page.Next, page.NextPresent, page.Total).Should().Be((3, "", "n2", true, (long?)null));
        page.IdsHash.Should().Be(ListWalk.SequenceHash(["", "b", "c"]));
        ListWalk.Parse(Page("""{"items":[],"next":null}"""), cursor, 200, out _)!.Should().Match<WalkPage>(p => p.Next == null && p.NextPresent && p.Count == 0 && p.FirstId == null);
        ListWalk.Parse(Page("""{"items":[]}"""), cursor, 200, out _)!.Should().Match<WalkPage>(p => p.Next == null && !p.NextPresent);
        ListWalk.Parse(Page("""{"items":[],"next":12}"""), cursor, 200, out _)!.Next.Should().Be("12", "a cursor that is not a string is kept as its JSON");

        // The total of an offset list, when it is a whole number.
        ListWalk.Parse(Page("""{"list":[{"id":"a"}],"total":41}"""), offset, 200, out _)!.Total.Should().Be(41);
        ListWalk.Parse(Page("""{"list":[{"id":"a"}],"total":"41"}"""), offset, 200, out _)!.Total.Should().BeNull();
        ListWalk.Parse(Page("""{"list":[{"id":"a"}],"total":41.5}"""), offset, 200, out _)!.Total.Should().BeNull();
        ListWalk.Parse(Page("""{"items":[],"next":null,"total":3}"""), cursor, 200, out _)!.Total.Should().BeNull("a cursor list has no total");

        // Not a page: another status, a transport error, no array where the items should be.
        foreach (var (exchange, expected) in new (Http.HttpExchange, Finding)[]
        {
            (Page("""{"items":[],"next":null}""", status: 500), Finding.OfResponse(200, Page("", status: 500))),
            (Page("", status: 200, error: "cannot connect (ConnectionRefused)"), Finding.OfResponse(200, Page("", status: 200, error: "cannot connect (ConnectionRefused)"))),
            (Page("""{"next":null}"""), new ValueMismatch("/items", "an array of items", null)),
            (Page("""{"items":null,"next":null}"""), new ValueMismatch("/items", "an array of items", null)),
            (Page("""{"items":{"id":"a"},"next":null}"""), new ValueMismatch("/items", "an array of items", "object")),
            (Page("""{"items":"a","next":null}"""), new ValueMismatch("/items", "an array of items", "string")),
            (Page("""[{"id":"a"}]"""), new ValueMismatch("/items", "an array of items", null)),
        })
        {
            ListWalk.Parse(exchange, cursor, 200, out var why).Should().BeNull();
            why.Should().Be(expected);
        }
    }

    [Test]
    public void Items_past_the_held_bound_are_read_back_from_the_file_each_as_it_was_kept()
    {
        var projection = new WalkProjection(["/id", "/status", "/channel/type", "/note"], ["open"]);
        // Items of different sizes (notes from none to a few hundred characters, one past 64 KiB so that a chunk
        // holds it alone) and with members past the kept bound, so every field of the written form is exercised.
        var kept = Enumerable.Range(0, 700).Select(i =>
        {
            var item = Item($"s-{i}", i % 3 == 0 ? "open" : $"state-{i}", i % 5 == 0 ? null : "web");
            if (i % 4 != 0)
            {
                item["note"] = i == 333 ? new string('n', 70_000) : new string('é', i % 300);
            }

            if (i % 7 == 0)
            {
                for (var extra = 0; extra < WalkItem.MaxFields + 3; extra++)
                {
                    item[$"extra{extra}"] = extra;
                }
            }

            return projection.Keep(Element(item.ToJsonString()), $"s-{i}", (i / 10) + 1);
        }).ToList();

        using var items = new WalkItems(projection, heldItems: 50);
        foreach (var item in kept.Take(50))
        {
            items.Add(item);
        }

        items.Spilled.Should().BeFalse("fifty items are held");
        foreach (var item in kept.Skip(50).Take(10))
        {
            items.Add(item);
        }

        items.Spilled.Should().BeTrue("ten items are past the bound of fifty");
        items[55].Id.Should().Be("s-55", "an item still in the write buffer is read back too");
        foreach (var item in kept.Skip(60))
        {
            items.Add(item);
        }

        items.Count.Should().Be(700);
        items[0].Should().BeSameAs(kept[0], "the first items are held as they are");
        items[49].Should().BeSameAs(kept[49]);
        items[50].Should().NotBeSameAs(kept[50], "past the bound, an item is read back from the file");

        static object Form(WalkItem i) => new { i.Id, i.Page, i.FieldsNotKept, Fields = i.Fields.ToList(), Texts = new[] { "/id", "/status", "/channel/type", "/note" }.Select(i.Text).ToList() };
        var expected = kept.Select(Form).ToList();
        Enumerable.Range(0, 700).Select(i => Form(items[i])).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering(), "each index gives its own item");
        items.Select(Form).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering(), "an enumeration reads the file a chunk at a time, every item in order");
        items.Select(Form).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering(), "and again");
        items[333].Text("/note").Should().HaveLength(70_000);
        items[0].FieldsNotKept.Should().Be(7, "four members and 67 more, of which 64 are kept");
        items[350].Text("/channel/type").Should().BeNull();

        var act = () => items[700];
        act.Should().Throw<ArgumentOutOfRangeException>();
        items.Dispose();
        act = () => items[600];
        act.Should().Throw<ObjectDisposedException>("the file is gone with the walk");
    }
}
