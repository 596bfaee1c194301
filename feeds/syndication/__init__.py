"""Feeds: RSS 2.0 and Atom (with feedgen), JSON Feed 1.1, OPML and RFC 5005 archives.

Every feed is made from the same FeedItem views, so an entry has one id, one
permalink and one publication time whichever format a reader subscribes to.
"""
