"""Port of the Keras guide's multi-input, multi-output model (ticket title, body and tags in; priority
and department out): two token inputs and one float input, a tuple of two outputs."""
import torch
import torch.nn as nn


class TicketClassifier(nn.Module):
    def __init__(self, num_words=10000, num_tags=12, num_departments=4):
        super().__init__()
        self.title_embedding = nn.Embedding(num_words, 64)
        self.body_embedding = nn.Embedding(num_words, 64)
        self.title_lstm = nn.LSTM(64, 128, batch_first=True)
        self.body_lstm = nn.LSTM(64, 32, batch_first=True)
        self.priority_head = nn.Linear(128 + 32 + num_tags, 1)
        self.department_head = nn.Linear(128 + 32 + num_tags, num_departments)

    def forward(self, title, body, tags):
        _, (title_h, _) = self.title_lstm(self.title_embedding(title))
        _, (body_h, _) = self.body_lstm(self.body_embedding(body))
        x = torch.cat([title_h[-1], body_h[-1], tags], dim=1)
        priority = self.priority_head(x)
        department = self.department_head(x)
        return priority, department
