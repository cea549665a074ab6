using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Text;
using System.Xml;

namespace ParallelJobs.Workers;

/// <summary>
/// The file a worker process writes a collected batch to (<see cref="BatchCollector"/>): one CliXml document, one
/// entry per item (<see cref="CollectedEntry"/>: a header, then the item's objects at the top level, which cost a
/// tenth of the same objects inside a list to read back), written in chunks (a length, then the bytes) as each item
/// ends and flushed to the operating system. A process that dies leaves only whole chunks behind but the one it was
/// writing, which <see cref="Read"/> leaves out. One serializer for the whole batch: PowerShell's public PSSerializer costs about
/// 60 µs per call, more than a fast item, where one stream of objects costs a tenth of that per object.
/// </summary>
internal static class BatchFile
{
    private const string Close = "</Objs>";

    private static readonly Type? SerializerType = typeof(PSObject).Assembly.GetType("System.Management.Automation.Serializer");

    private static readonly ConstructorInfo? SerializerNew = SerializerType?.GetConstructor(
        BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(XmlWriter), typeof(int), typeof(bool) }, null);

    private static readonly MethodInfo? SerializeOne = SerializerType?.GetMethod(
        "Serialize", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(object) }, null);

    /// <summary>False when this PowerShell lacks the serializer the writer needs: batches then stream item by item.</summary>
    public static bool CanWrite => SerializerNew is not null && SerializeOne is not null;

    /// <summary>Every object of the whole entries in <paramref name="file"/>, in order, as PowerShell deserializes them.</summary>
    public static object[] Read(Stream file)
    {
        var text = new MemoryStream();
        file.Seek(0, SeekOrigin.Begin);
        var length = new byte[4];
        while (ReadExactly(file, length) && BitConverter.ToInt32(length, 0) is int size && size >= 0)
        {
            var chunk = new byte[size];
            if (!ReadExactly(file, chunk))
            {
                break;
            }

            text.Write(chunk, 0, chunk.Length);
        }

        if (text.Length == 0)
        {
            return Array.Empty<object>();
        }

        // The writer never closes the document: it may be cut short at any entry.
        return PSSerializer.DeserializeAsList(Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length) + Close);
    }

    private static bool ReadExactly(Stream file, byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int got = file.Read(buffer, read, buffer.Length - read);
            if (got <= 0)
            {
                return false;
            }

            read += got;
        }

        return true;
    }

    /// <summary>Writes one batch's entries (in the worker process). Only the pipeline thread that runs the batch uses it.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly Stream _file;
        private readonly MemoryStream _buffer = new();
        private readonly XmlWriter _xml;
        private readonly object _serializer;
        private readonly object?[] _one = new object?[1];

        public Writer(Stream file, int depth)
        {
            _file = file;
            _xml = XmlWriter.Create(_buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true, CloseOutput = false });
            _serializer = SerializerNew!.Invoke(new object[] { _xml, depth, true });
        }

        /// <summary>One item's entry: its header (<see cref="CollectedEntry.Header"/>), its error when it has one, then its values.</summary>
        public void Append(long ticks, string? kinds, object? error, IReadOnlyList<object?> values)
        {
            _one[0] = CollectedEntry.Header(ticks, values.Count, error, kinds);
            SerializeOne!.Invoke(_serializer, _one);
            if (error is not null)
            {
                _one[0] = error;
                SerializeOne.Invoke(_serializer, _one);
            }

            for (int i = 0; i < values.Count; i++)
            {
                _one[0] = values[i];
                SerializeOne.Invoke(_serializer, _one);
            }

            _one[0] = null;
            _xml.Flush();
            byte[] length = BitConverter.GetBytes((int)_buffer.Length);
            _file.Write(length, 0, length.Length);
            _file.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);

            // To the operating system now: the entry must outlive this process.
            _file.Flush();
            _buffer.SetLength(0);
        }

        public void Dispose() => _xml.Dispose();
    }
}
