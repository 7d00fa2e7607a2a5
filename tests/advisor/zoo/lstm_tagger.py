"""Sequence tagger: one label per token. `(N, T, H).view(-1, H)` flattens batch and time together,
which is correct (H is the product of the trailing dims it keeps)."""
import torch.nn as nn
import torch.nn.functional as F


class LSTMTagger(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        batch_size, seq_len = sentence.shape
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds)
        tag_space = self.hidden2tag(lstm_out.contiguous().view(-1, self.hidden_dim))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores.view(batch_size, seq_len, -1)
